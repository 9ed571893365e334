export { decodeAudio, type DecodeAudioOptions } from './decode-audio.js';
export { SUPPORTED_FORMATS, sniffFormat, type AudioFormat } from './sniff-format.js';
