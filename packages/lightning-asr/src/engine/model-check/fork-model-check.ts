import { fork } from 'node:child_process';
import { isModelCheckMessage, type ModelCheckMessage } from './model-check-message.js';

export type ModelCheckResult = { readonly ok: true; readonly durationMs: number } | { readonly ok: false; readonly reason: string };

export interface ModelCheckChild {
  /** The child's entry (`siblingModulePath`): a module that runs `reportModelCheck`. */
  readonly entry: string;
  /** Its arguments: what to load, as JSON. */
  readonly args: readonly string[];
  readonly timeoutMs: number;
  /** For the reason when the child dies without reporting: the native library, as people know it. */
  readonly library: string;
  /** What it was loading, as the reason names it: `the model /models/ggml-base.en.bin`. */
  readonly loading: string;
}

/** Bytes of the child's stderr kept, for its last line. */
const STDERR_KEPT = 4096;
const REASON_LINE_MAX = 200;

/**
 * Runs a model check in a child process, so that a model that crashes its native library (a
 * segfault, an abort on a failed assertion, an `exit` deep inside it) ends the child and not the
 * worker. The result's `reason` is one line, fit for `/health`.
 */
export function forkModelCheck(check: ModelCheckChild): Promise<ModelCheckResult> {
  const started = performance.now();
  const child = fork(check.entry, [...check.args], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });
  let message: ModelCheckMessage | undefined;
  child.on('message', (value) => {
    if (isModelCheckMessage(value)) message = value;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, check.timeoutMs);

  return new Promise((resolve) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `Model check could not start: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ ok: false, reason: `Model check timed out after ${check.timeoutMs / 1000} s` });
      if (message?.type === 'passed') return resolve({ ok: true, durationMs: Math.round(performance.now() - started) });
      if (message?.type === 'failed') return resolve({ ok: false, reason: `Model check failed: ${oneLine(message.message)}` });
      const said = lastLine(stderr);
      const how = signal !== null ? `crashed (${signal})` : `exited with code ${code}`;
      resolve({ ok: false, reason: `The ${check.library} library ${how} while loading ${check.loading}${said === undefined ? '' : `: ${said}`}` });
    });
  });
}

function lastLine(text: string): string | undefined {
  const line = text.trim().split('\n').at(-1)?.trim();
  return line ? oneLine(line) : undefined;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > REASON_LINE_MAX ? `${line.slice(0, REASON_LINE_MAX - 1)}…` : line;
}
