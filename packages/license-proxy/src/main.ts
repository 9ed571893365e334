#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { runMain } from '@stt/shared';
import { z } from 'zod';
import { issue } from './cli/issue.js';
import { keygen } from './cli/keygen.js';
import { serve } from './cli/serve.js';

const USAGE = `usage:
  license-proxy [serve]                      run the proxy (configuration from the environment)
  license-proxy keygen --out DIR             create an Ed25519 key pair: DIR/signing.key, DIR/signing.pub
  license-proxy issue --signing-key FILE --customer NAME [--days 365] [--features a,b]
                      [--requests-per-minute 60] [--concurrent 10] [--audio-hours-per-day 100]`;

const positive = z.coerce.number().positive().optional();
const issueOptions = z.object({
  'signing-key': z.string({ error: '--signing-key FILE is required' }),
  customer: z.string({ error: '--customer NAME is required' }).min(1),
  days: z.coerce.number().positive().default(365),
  features: z
    .string()
    .transform((value) => value.split(',').filter(Boolean))
    .optional(),
  'requests-per-minute': positive,
  concurrent: positive,
  'audio-hours-per-day': positive,
});

runMain('license-proxy', async () => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      'signing-key': { type: 'string' },
      customer: { type: 'string' },
      days: { type: 'string' },
      features: { type: 'string' },
      'requests-per-minute': { type: 'string' },
      concurrent: { type: 'string' },
      'audio-hours-per-day': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const command = positionals[0] ?? 'serve';
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  switch (command) {
    case 'serve':
      return serve();
    case 'keygen':
      if (!values.out) throw new Error(`keygen needs --out DIR\n${USAGE}`);
      return keygen(values.out);
    case 'issue': {
      const parsed = issueOptions.safeParse(values);
      if (!parsed.success) throw new Error(`${parsed.error.issues[0]?.message ?? 'bad options'}\n${USAGE}`);
      const options = parsed.data;
      return issue({
        signingKeyFile: options['signing-key'],
        customer: options.customer,
        validDays: options.days,
        ...(options.features ? { features: options.features } : {}),
        ...(options['requests-per-minute'] ? { requestsPerMinute: options['requests-per-minute'] } : {}),
        ...(options.concurrent ? { concurrentRequests: options.concurrent } : {}),
        ...(options['audio-hours-per-day'] ? { audioHoursPerDay: options['audio-hours-per-day'] } : {}),
      });
    }
    default:
      throw new Error(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
  }
});
