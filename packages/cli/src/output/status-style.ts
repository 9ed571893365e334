/** A status word coloured for a terminal (green, yellow, red), plain elsewhere. */
export function styledStatus(status: string, tty: boolean = process.stdout.isTTY === true): string {
  if (!tty) return status;
  const colour = status === 'healthy' || status === 'pass' ? 32 : status === 'degraded' || status === 'warn' ? 33 : status === 'skip' ? 2 : 31;
  return `\x1b[${colour}m${status}\x1b[0m`;
}
