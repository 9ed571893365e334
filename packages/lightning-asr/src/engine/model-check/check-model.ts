import { fork } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineSpec } from '../engine-spec.js';
import { isModelCheckMessage, type ModelCheckMessage } from './model-check-message.js';

export type ModelCheckResult = { readonly ok: true; readonly durationMs: number } | { readonly ok: false; readonly reason: string };

/** The child's entry beside this file: `.js` in `dist/`, `.ts` under tsx (which `execArgv` carries over). */
const CHILD_MAIN = fileURLToPath(new URL(`./model-check-main${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/** Bytes of the child's stderr kept, for its last line. */
const STDERR_KEPT = 4096;
const REASON_LINE_MAX = 200;

/** The native library each engine loads models with, as reasons name it. */
const LIBRARIES: Record<EngineSpec['engine'], string> = { pocketsphinx: 'PocketSphinx', whisper: 'whisper.cpp', 'sherpa-onnx': 'sherpa-onnx' };

/**
 * Loads `spec`'s model in a child process and decodes a second of silence there, so that a model
 * that crashes the native library (a segfault, an abort on a failed assertion) ends the child and
 * not the worker. The result's `reason` is one line, fit for `/health`.
 */
export function checkModelInChildProcess(spec: EngineSpec, options: { timeoutMs: number }): Promise<ModelCheckResult> {
  const started = performance.now();
  const child = fork(CHILD_MAIN, [JSON.stringify(spec)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
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
  }, options.timeoutMs);

  return new Promise((resolve) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `Model check could not start: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ ok: false, reason: `Model check timed out after ${options.timeoutMs / 1000} s` });
      if (message?.type === 'passed') return resolve({ ok: true, durationMs: Math.round(performance.now() - started) });
      if (message?.type === 'failed') return resolve({ ok: false, reason: `Model check failed: ${oneLine(message.message)}` });
      const said = lastLine(stderr);
      const how = signal !== null ? `crashed (${signal})` : `exited with code ${code}`;
      resolve({ ok: false, reason: `The ${LIBRARIES[spec.engine]} library ${how} while loading the model ${modelPath(spec)}${said === undefined ? '' : `: ${said}`}` });
    });
  });
}

function modelPath(spec: EngineSpec): string {
  return spec.engine === 'whisper' ? spec.modelPath : spec.modelDir;
}

function lastLine(text: string): string | undefined {
  const line = text.trim().split('\n').at(-1)?.trim();
  return line ? oneLine(line) : undefined;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > REASON_LINE_MAX ? `${line.slice(0, REASON_LINE_MAX - 1)}…` : line;
}
