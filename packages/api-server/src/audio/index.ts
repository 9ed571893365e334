export { decodeAudio, type DecodeAudioOptions } from './decode-audio.js';
export { OUTPUT_SAMPLE_RATE } from './pcm16.js';
export { SUPPORTED_FORMATS, sniffFormat, type AudioFormat } from './sniff-format.js';
