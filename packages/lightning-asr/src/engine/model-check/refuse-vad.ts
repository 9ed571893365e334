import type { VoiceActivityDetector } from '../vad/voice-activity-detector.js';

/** The VAD factory of the model check, which opens no live session: loading a VAD there would be a bug. */
export function refuseVad(): VoiceActivityDetector {
  throw new Error('The model check opens no live session and loads no VAD');
}
