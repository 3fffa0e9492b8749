/**
 * A webhook receiver on 127.0.0.1: records every POST and answers as the test scripts it
 * (status, headers, delay, or held until the test lets it go) by the number of the call.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  delayMs?: number;
  /** The answer waits for this too: the test decides when the sender hears back. */
  held?: Promise<unknown>;
}

export interface Receiver {
  url: (path?: string) => string;
  received: Received[];
  /** Resolves once `count` requests have arrived (rejects after the timeout). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(
  answer: (call: number) => Answer = () => ({}),
): Promise<Receiver> {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({
        path: request.url ?? '',
        headers: request.headers,
        body: text ? JSON.parse(text) : null,
      });
      for (const wake of waiters.splice(0)) wake();
      const scripted = answer(received.length);
      const send = () =>
        setTimeout(() => {
          if (response.destroyed) return;
          response.writeHead(scripted.status ?? 200, scripted.headers ?? {});
          response.end('{}');
        }, scripted.delayMs ?? 0);
      if (scripted.held) void scripted.held.then(send);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    received,
    waitFor: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const deadline = setTimeout(
          () => reject(new Error(`expected ${count} deliveries, got ${received.length}`)),
          timeoutMs,
        );
        const check = () => {
          if (received.length >= count) {
            clearTimeout(deadline);
            resolve(received);
          } else waiters.push(check);
        };
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the check holds (rejects after the timeout): for state the mock records later. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
