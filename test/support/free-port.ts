import { connect, createServer } from 'node:net';

function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const port = await listenOn(0);
  if (port === undefined) throw new Error('no free port');
  return port;
}

/**
 * Below Linux's ephemeral range (32768–60999 by default), from which every outgoing connection
 * takes its local port: a port found free there can be taken by one (a worker's Redis client)
 * before the service it was meant for listens on it.
 */
const RANGE_START = 20_000;
const RANGE_END = 32_768;

/** The first of `count` consecutive ports that were all free a moment ago. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = RANGE_START + Math.floor(Math.random() * (RANGE_END - RANGE_START - count));
    const checks = await Promise.all(Array.from({ length: count }, (_, i) => listenOn(first + i)));
    if (checks.every((port) => port !== undefined)) return first;
  }
  throw new Error(`no ${count} consecutive free ports`);
}

/** True when nothing listens on `port` of 127.0.0.1 (the connection is refused). */
export function nothingListensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}
