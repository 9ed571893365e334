import { setImmediate as nextTurn } from 'node:timers/promises';
import type { WhisperBinding } from './whisper-node-binding.js';

/** Loop turns to wait for log lines queued during a load; they arrive in the first turn or two. */
const MAX_TURNS = 20;

/**
 * whisper.cpp's log while models load, kept instead of printed: its ~30 lines per context would
 * fill the worker's stderr, and they hold what the addon's errors leave out (why a model failed:
 * "invalid model data (bad magic)"; which GPU backend it took, or "no GPU found").
 */
export class WhisperLoadLog {
  private readonly lines: NativeLogLine[] = [];

  private constructor(private readonly binding: WhisperBinding) {
    binding.WhisperContext.toggleNativeLog(true, (level, text) => this.lines.push({ level, text: text.trim() }));
  }

  static start(binding: WhisperBinding): WhisperLoadLog {
    return new WhisperLoadLog(binding);
  }

  /**
   * The lines logged since `start`, once delivered, and the log back on stderr. The addon queues
   * lines to the event loop: this waits for the first, then until a turn brings no more.
   */
  async stop(): Promise<readonly NativeLogLine[]> {
    for (let turn = 0, seen = -1; turn < MAX_TURNS && this.lines.length !== seen; turn++) {
      if (this.lines.length > 0) seen = this.lines.length;
      await nextTurn();
    }
    this.binding.WhisperContext.toggleNativeLog(false);
    return this.lines;
  }
}

export interface NativeLogLine {
  readonly level: string;
  readonly text: string;
}

/**
 * Why whisper.cpp did not load a model: its last error line but the closing "failed to load
 * model" ("invalid model data (bad magic)", "exception during model load: std::bad_alloc"),
 * without the function name it starts with.
 */
export function loadFailure(lines: readonly NativeLogLine[]): string | undefined {
  const reasons = lines.filter((line) => line.level === 'error' && !line.text.endsWith('failed to load model'));
  return reasons.at(-1)?.text.replace(/^\w+: /, '');
}
