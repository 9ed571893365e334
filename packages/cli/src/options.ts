import { InvalidArgumentError } from 'commander';

/** A commander parser for a positive number (`--days 30`, `--interval 0.5`). */
export function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('must be a positive number.');
  return number;
}

/** A commander parser for a positive whole number. */
export function positiveInteger(value: string): number {
  const number = positiveNumber(value);
  if (!Number.isInteger(number)) throw new InvalidArgumentError('must be a whole number.');
  return number;
}
