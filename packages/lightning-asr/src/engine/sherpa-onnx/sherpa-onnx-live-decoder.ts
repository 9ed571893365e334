import { ENGINE_SAMPLE_RATE } from '@stt/shared';
import type { LiveDecoder } from '../asr-engine.js';
import type { VoiceActivityDetector } from '../vad/voice-activity-detector.js';
import { decodeReady } from './decode-ready.js';
import { toFloatSamples } from './pcm-float.js';
import type { OnlineRecognizer, OnlineStream } from './sherpa-onnx-node-binding.js';

/**
 * One session's live decoding with a streaming model (`native`): the online recognizer gives the
 * interim words, and the VAD, not sherpa-onnx's endpoint rules, says whether the speaker is
 * talking, so utterances end the same way as on every engine. The stream and the VAD are made on
 * the first audio. Calls come one at a time (the session queues them).
 */
export class SherpaOnnxLiveDecoder implements LiveDecoder {
  private stream: OnlineStream | undefined;
  private vad: VoiceActivityDetector | undefined;

  constructor(
    private readonly recognizer: OnlineRecognizer,
    private readonly createVad: () => VoiceActivityDetector,
    private readonly onRelease: () => void,
  ) {}

  async process(pcm: Int16Array): Promise<void> {
    this.vad ??= this.createVad();
    const stream = (this.stream ??= this.recognizer.createStream());
    await this.vad.accept(pcm);
    stream.acceptWaveform({ samples: toFloatSamples(pcm), sampleRate: ENGINE_SAMPLE_RATE });
    await decodeReady(this.recognizer, stream);
  }

  partial(): string {
    return this.stream === undefined ? '' : this.recognizer.getResult(this.stream).text.trim();
  }

  inSpeech(): boolean {
    return this.vad?.inSpeech() ?? false;
  }

  async nextUtterance(): Promise<void> {
    if (this.stream !== undefined) this.recognizer.reset(this.stream);
    this.vad?.reset();
  }

  async release(): Promise<void> {
    this.stream = undefined;
    this.vad?.free();
    this.vad = undefined;
    this.onRelease();
  }
}
