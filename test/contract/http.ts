/**
 * Requests for the contract suite, and checks whose failures say which endpoint and case failed,
 * which schema path the answer broke, and what the body was.
 */
import assert from 'node:assert/strict';
import { validate, type SchemaName } from '../../schemas/validator';

export { send, type Answer, type Send } from '../helpers/http';
import type { Answer } from '../helpers/http';

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
