/**
 * Requests for the contract suite, and checks whose failures say which endpoint and case failed,
 * which schema path the answer broke, and what the body was.
 */
import assert from 'node:assert/strict';
import { validate, type SchemaName } from '../../schemas/validator';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // A parsed JSON body; the schemas check its shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON
  body: any;
}

export interface Send {
  key?: string | null;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

export async function send(
  url: string,
  method: string,
  options: Send & { defaultKey?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? options.defaultKey : options.key;
  if (key !== null && key !== undefined) headers['x-api-key'] = key;
  let body = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** Names the failing endpoint, case, schema path and body. */
function failure(where: string, what: string, answer: Answer): string {
  return `${where}: ${what}\n  status ${answer.status}, body: ${answer.text.slice(0, 2000)}`;
}

function assertJson(where: string, answer: Answer): void {
  assert.match(
    answer.headers.get('content-type') ?? '',
    /^application\/json/,
    failure(where, 'Content-Type is not JSON', answer),
  );
  assert.notEqual(answer.body, undefined, failure(where, 'the body is not JSON', answer));
}

export function assertSuccess(
  where: string,
  answer: Answer,
  status: number,
  schema: SchemaName,
): void {
  assert.equal(answer.status, status, failure(where, `expected ${status}`, answer));
  assertJson(where, answer);
  const result = validate(schema, answer.body);
  if (!result.valid) {
    const [first] = result.errors;
    assert.fail(
      failure(
        where,
        `against ${schema} at ${first.schemaPath} (${first.instancePath || '/'}): ${result.message}`,
        answer,
      ),
    );
  }
}

export function assertError(where: string, answer: Answer, status: number, code: string): void {
  assert.equal(answer.status, status, failure(where, `expected ${status} ${code}`, answer));
  assertJson(where, answer);
  const result = validate('error', answer.body);
  if (!result.valid)
    assert.fail(failure(where, `not the error envelope: ${result.message}`, answer));
  assert.equal(answer.body.error, code, failure(where, `expected error ${code}`, answer));
}
