/** 16-bit signed samples as the floats in [-1, 1) that sherpa-onnx takes. */
export function toFloatSamples(pcm: Int16Array): Float32Array {
  const samples = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) samples[i] = pcm[i]! / 32768;
  return samples;
}
