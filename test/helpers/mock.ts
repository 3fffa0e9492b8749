/**
 * Starts the mock server in-process on an ephemeral port on 127.0.0.1, in verify mode (every
 * stored record and every success answer is checked against the schemas; a mismatch becomes a
 * 500), and talks to it over real HTTP. Every error body is checked against schemas/error.json.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validate } from '../../schemas/validator';
import { createServer, type MockServer, type ServerOptions } from '../../mock-server/server';
import { DEMO_KEYS } from '../../mock-server/store/seed';

export { DEMO_KEYS };

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // The body as JSON; tests read what they assert on, the schemas check the rest.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed JSON body
  body: any;
}

export interface RequestOptions {
  key?: string | null;
  body?: unknown;
  /** A raw body, sent as is. */
  raw?: string;
  headers?: Record<string, string>;
}

export interface RunningMock {
  server: MockServer;
  base: string;
  logs: string[];
  request(method: string, path: string, options?: RequestOptions): Promise<Reply>;
  stop(): Promise<void>;
}

export async function startMock(options: ServerOptions = {}): Promise<RunningMock> {
  const logs: string[] = [];
  const server = await createServer({ verify: true, log: (line) => logs.push(line), ...options });
  const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    server,
    base,
    logs,
    request: (method, url, requestOptions = {}) => call(base, method, url, requestOptions),
    stop: () => server.close(),
  };
}

/** One request; the default key is the Acme demo key, `key: null` sends none. */
export async function call(
  base: string,
  method: string,
  url: string,
  options: RequestOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? DEMO_KEYS.acme : options.key;
  if (key !== null) headers['x-api-key'] = key;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${base}${url}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const reply: Reply = {
    status: response.status,
    headers: response.headers,
    text,
    body: undefined,
  };
  if (method !== 'HEAD') {
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/, text);
    reply.body = JSON.parse(text);
  }
  if (response.status >= 400 && method !== 'HEAD') {
    const envelope = validate('error', reply.body);
    assert.ok(envelope.valid, `not an error envelope: ${text}`);
  }
  return reply;
}

/** A fresh temporary directory, removed by the returned function. */
export function temporaryDirectory(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatting-mock-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Asserts the status and the error code of an error reply. */
export function assertError(reply: Reply, status: number, code: string): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.body.error, code, reply.text);
}
