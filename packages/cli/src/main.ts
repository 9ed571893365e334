#!/usr/bin/env node
import { describeFailure } from './cli-failure.js';
import { createProgram } from './program.js';

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`stt: ${describeFailure(error)}\n`);
  process.exitCode = 1;
}
