import { MonoMixer } from './mono-mixer.js';
import { ENGINE_SAMPLE_RATE } from '@stt/shared';
import { toInt16 } from './pcm16.js';
import { SincResampler } from './sinc-resampler.js';
import type { WavData } from './wav-container.js';

/**
 * Decodes a WAV file's PCM or float samples in TypeScript, without ffmpeg: mono by averaging the
 * channels, resampled to 16 kHz unless already there (then 16-bit samples come out unchanged).
 * One output chunk per input chunk, so memory stays flat whatever the file's length.
 */
export async function* decodeWav(wav: WavData): AsyncGenerator<Int16Array> {
  const mixer = new MonoMixer(wav.format);
  const resampler =
    wav.format.sampleRate === ENGINE_SAMPLE_RATE ? undefined : new SincResampler(wav.format.sampleRate, ENGINE_SAMPLE_RATE);
  for await (const bytes of wav.bytes) {
    const mono = mixer.mix(bytes);
    const samples = resampler ? resampler.push(mono) : mono;
    if (samples.length > 0) yield toInt16(samples);
  }
  const tail = resampler?.flush();
  if (tail && tail.length > 0) yield toInt16(tail);
}
