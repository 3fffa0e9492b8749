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
import { send, type Answer, type Send } from './http';

export { DEMO_KEYS };

export type Reply = Answer;
export type RequestOptions = Send;

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

/** Sets a fault rule (POST /__admin/faults) on `mock`; it must be taken. */
export async function addFault(mock: RunningMock, rule: Record<string, unknown>): Promise<void> {
  const added = await mock.request('POST', '/__admin/faults', { key: null, body: rule });
  assert.equal(added.status, 201, added.text);
}

/**
 * One request; the default key is the Acme demo key, `key: null` sends none. Every answer must
 * be JSON, and every error the envelope.
 */
export async function call(
  base: string,
  method: string,
  url: string,
  options: RequestOptions = {},
): Promise<Reply> {
  const reply = await send(`${base}${url}`, method, { defaultKey: DEMO_KEYS.acme, ...options });
  if (method !== 'HEAD') {
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/, reply.text);
    reply.body = JSON.parse(reply.text);
    if (reply.status >= 400) {
      assert.ok(validate('error', reply.body).valid, `not an error envelope: ${reply.text}`);
    }
  }
  return reply;
}

/** A fresh temporary directory, removed by the returned function. */
export function temporaryDirectory(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatting-mock-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A fresh temporary directory for each test of the enclosing describe, removed after it; the
 * returned function gives a path in the current test's directory (the directory itself if no
 * name is given).
 */
export function temporaryDirectoryForEachTest(): (...names: string[]) => string {
  let current: { dir: string; remove: () => void } | undefined;
  beforeEach(() => (current = temporaryDirectory()));
  afterEach(() => current?.remove());
  return (...names) => path.join((current as { dir: string }).dir, ...names);
}

/** Asserts the status and the error code of an error reply. */
export function assertError(reply: Reply, status: number, code: string): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.body.error, code, reply.text);
}

/**
 * For a test file that shares one mock: started before its tests and stopped after them. The
 * returned object stands for the running mock from the first test on.
 */
export function useMock(options: ServerOptions = {}): RunningMock {
  let running: RunningMock | undefined;
  beforeAll(async () => {
    running = await startMock(options);
  });
  afterAll(async () => {
    await running?.stop();
  });
  const current = (): RunningMock => running ?? assert.fail('the mock starts in beforeAll');
  return {
    get server() {
      return current().server;
    },
    get base() {
      return current().base;
    },
    get logs() {
      return current().logs;
    },
    request: (method, url, requestOptions) => current().request(method, url, requestOptions),
    stop: () => current().stop(),
  };
}
