/**
 * nock interceptors for the app's unit tests: every request the app sends is checked against the
 * request schemas, and every canned answer against its schema before it is served. (Kept apart
 * from ./app: loading nock changes how node:http behaves for the whole process.)
 */
import assert from 'node:assert/strict';
import nock from 'nock';
import { validate, type SchemaName } from '../../schemas/validator';

export { App, appTester } from './app';

export const BASE = 'https://chatting.test/api/zapier';
export const API_KEY = 'chatting_live_demo_acmeacmeacmeacmeacmeacme';
export const authData = { api_key: API_KEY };

export interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface Expectation {
  /** The request body's schema; a body that does not validate fails the test. */
  schema?: SchemaName;
  status?: number;
  reply?: unknown;
  /** The canned answer's schema: it is checked before it is served (errors: always error.json). */
  replySchema?: SchemaName;
  headers?: Record<string, string>;
}

const problems: string[] = [];

/** Intercepts one request; returns what the app sent, for the test to look at. */
export function expectRequest(
  method: 'GET' | 'POST' | 'DELETE',
  path: string | RegExp,
  expectation: Expectation = {},
): Seen[] {
  const seen: Seen[] = [];
  const status = expectation.status ?? 200;
  const replySchema = status >= 400 ? 'error' : expectation.replySchema;
  if (replySchema && typeof expectation.reply === 'object') {
    const result = validate(replySchema, expectation.reply);
    assert.ok(
      result.valid,
      `the canned answer is not a ${replySchema}: ${result.valid ? '' : result.message}`,
    );
  }
  nock('https://chatting.test')
    .intercept(
      (uri) => (typeof path === 'string' ? uri === `/api/zapier${path}` : path.test(uri)),
      method,
    )
    // nock 14 hands the reply function the path and the body it read; `this.req` holds the rest.
    .reply(function (uri, requestBody) {
      const headers = Object.fromEntries(
        Object.entries(this.req.headers).map(([name, value]) => [name, String(value)]),
      );
      const text = typeof requestBody === 'string' ? requestBody : JSON.stringify(requestBody);
      const parsed = text ? (JSON.parse(text) as unknown) : undefined;
      seen.push({ method, path: uri, headers, body: parsed });
      if (headers['x-api-key'] !== API_KEY) problems.push(`${method} ${uri} without the API key`);
      if (expectation.schema) {
        const result = validate(expectation.schema, parsed);
        if (!result.valid) {
          problems.push(`${method} ${uri}: body is not a ${expectation.schema}: ${result.message}`);
        }
      }
      const key = headers['idempotency-key'];
      if (key !== undefined && !validate('requests/idempotency-key', key).valid) {
        problems.push(`${method} ${uri}: Idempotency-Key ${key} is not valid`);
      }
      return [
        status,
        JSON.stringify(expectation.reply ?? { ok: true }),
        { 'content-type': 'application/json', ...expectation.headers },
      ];
    });
  return seen;
}

function setUpNock(): void {
  process.env.CHATTING_BASE_URL = BASE;
  nock.disableNetConnect();
}

/** After each test: every interceptor was used and every request kept to the contract. */
function checkRequests(): void {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  const found = problems.splice(0);
  assert.deepEqual(pending, [], 'requests the app never sent');
  assert.deepEqual(found, [], 'requests against the contract');
}

function tearDownNock(): void {
  nock.enableNetConnect();
  delete process.env.CHATTING_BASE_URL;
}

/**
 * For a test file of the app: its requests go to nock (no other network), and after each test
 * every interceptor must have been used and every request must have kept to the contract.
 */
export function useNock(): void {
  beforeAll(setUpNock);
  afterEach(checkRequests);
  afterAll(tearDownNock);
}
