import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { parseJsonAs, type RedisKeys } from '@stt/shared';
import { validationRecordSchema, type ValidationRecord } from './validation-record.js';

/**
 * Keeps the validation record in Redis under the key's fingerprint (never the key itself), so a
 * new license key starts afresh rather than inheriting another key's verdict.
 */
export class ValidationStore {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
    licenseKey: string,
  ) {
    this.key = keys.licenseValidation(createHash('sha256').update(licenseKey).digest('hex').slice(0, 32));
  }

  /** The stored record; undefined when there is none or it is unreadable. Rejects when Redis does. */
  async load(): Promise<ValidationRecord | undefined> {
    const raw = await this.redis.get(this.key);
    return raw === null ? undefined : parseJsonAs(validationRecordSchema, raw);
  }

  async save(record: ValidationRecord): Promise<void> {
    await this.redis.set(this.key, JSON.stringify(record));
  }
}
