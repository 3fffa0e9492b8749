/** The stand-in for Zapier's hook URL: a local HTTP server that hands over each delivery. */
import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface Delivery {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The body as sent. */
  text: string;
}

export interface HookReceiver {
  /** The local URL (http://127.0.0.1:<port>/hook). */
  url: string;
  /** The next delivery; rejects after `timeoutMs`, or with the reason `interruption` aborts with. */
  next(timeoutMs: number, interruption?: AbortSignal): Promise<Delivery>;
  close(): Promise<void>;
}

export async function startHookReceiver(port = 0): Promise<HookReceiver> {
  const arrived: Delivery[] = [];
  let wake: (() => void) | undefined;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://receiver');
      arrived.push({
        method: request.method ?? 'POST',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        text: Buffer.concat(chunks).toString('utf8'),
      });
      wake?.();
      // What Zapier's hook URL answers: a success, so the sender does not retry.
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"status":"success"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${bound}/hook`,
    next: async (timeoutMs, interruption) => {
      // Node's timeout signal does not keep the process alive: an interrupted run exits at once.
      const timeout = AbortSignal.timeout(timeoutMs);
      const ended = interruption ? AbortSignal.any([timeout, interruption]) : timeout;
      while (arrived.length === 0) {
        if (timeout.aborted)
          throw new Error(`no delivery arrived within ${Math.round(timeoutMs / 1000)} s`);
        ended.throwIfAborted();
        await new Promise<void>((resolve) => {
          wake = resolve;
          ended.addEventListener('abort', () => resolve(), { once: true });
        });
      }
      return arrived.shift() as Delivery;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
