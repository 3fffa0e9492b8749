/**
 * Requests of the contract suite, and the checks of their answers. Every answer is checked
 * against openapi.yaml's operation and status (the schemas/ file, and the codes declared there);
 * a failure names the endpoint, the case, the schema path that failed and the body received.
 *
 * Against another deployment (drift allowed), a field the contract does not know and an error
 * code it does not declare there are drift: recorded, reported apart, not failures. Through
 * `prism proxy --errors`, Prism's refusal of a request the contract also refuses is a pass, and
 * Prism's report of a response that breaks openapi.yaml a failure.
 */
import {
  contract,
  ERROR_CODES,
  isMockGuardError,
  statusOf,
  type ErrorCode,
  type SchemaName,
  type Validation,
} from '../../schemas/validator';
import type { ErrorObject } from 'ajv/dist/2020';
import { send as sendHttp, type Answer as HttpAnswer, type Send } from '../helpers/http';
import { findOperation, operations, readOpenapi, statusKey } from './guards';
import { assert, counted, drift, information, run } from './suite';

export type { Send } from '../helpers/http';

/** An answer, with the request it answers (to find its operation in openapi.yaml). */
export interface ApiAnswer extends HttpAnswer {
  request: { method: string; path: string };
}

const OPERATIONS = operations(readOpenapi(), ERROR_CODES);
/** Methods that cannot change anything: all that a read-only run sends. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** One API request (path under the base, e.g. /me); the target's key unless `key` says else. */
export async function call(method: string, path: string, options: Send = {}): Promise<ApiAnswer> {
  const { target, api } = run();
  if (!target.writes && !SAFE_METHODS.has(method)) {
    throw new Error(`a read-only run sends GET only, not ${method} ${path}`);
  }
  const answer = await sendHttp(`${api}${path}`, method, { defaultKey: target.key, ...options });
  return { ...answer, request: { method, path } };
}

/** One admin API request (path under /__admin). */
export async function admin(method: string, path: string, body?: unknown): Promise<HttpAnswer> {
  const { target } = run();
  if (!target.admin) throw new Error('the target has no admin API');
  return sendHttp(`${target.admin}${path}`, method, { body, headers: adminHeaders(target) });
}

/** The admin token, for an admin API that asks for one (a mock bound off loopback). */
export function adminHeaders(target: { adminToken?: string | null }): Record<string, string> {
  return target.adminToken ? { 'x-admin-token': target.adminToken } : {};
}

/** Names the failing endpoint, case, schema path and body. */
function failure(where: string, what: string, answer: HttpAnswer): string {
  return `${where}: ${what}\n  status ${answer.status}, body: ${answer.text.slice(0, 2000)}`;
}

interface PrismProblem {
  type: string;
  detail?: string;
  /** What broke openapi.yaml, for a VIOLATIONS answer. */
  validation?: { location: string[]; code: string; message: string }[];
}

/**
 * The violations Prism reports that are drift where drift is allowed (a field the contract does
 * not know, an error code outside the enum), or null when any of them is more than that.
 */
function driftOnly(problem: PrismProblem): string[] | null {
  const items = problem.validation ?? [];
  const isDrift = (item: { location: string[]; code: string }) =>
    item.code === 'additionalProperties' ||
    (item.code === 'enum' && item.location.join('.') === 'response.body.error');
  return items.length > 0 && items.every(isDrift) ? items.map((item) => item.message) : null;
}

/**
 * Prism's own answer, not the target's, or null: a problem+json (a refused request, or a
 * response that breaks openapi.yaml), or its body parser's refusal of malformed JSON.
 */
function prismProblem(answer: ApiAnswer): PrismProblem | null {
  if (!run().proxied) return null;
  const body = answer.body as { type?: unknown; error?: { code?: unknown } } | undefined;
  if (typeof body?.type === 'string' && body.type.startsWith('https://stoplight.io/prism/')) {
    return body as PrismProblem;
  }
  if (answer.status === 400 && body?.error?.code === 'invalid_json') {
    return { type: 'invalid_json', detail: 'Prism refused a body that is not JSON' };
  }
  return null;
}

/** Deletes the property an additionalProperties error names; false when it names none. */
function removeExtra(body: unknown, pointer: string, property: unknown): boolean {
  const parent = pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], body);
  if (!parent || typeof parent !== 'object' || typeof property !== 'string') return false;
  return delete (parent as Record<string, unknown>)[property];
}

/**
 * Brings a value beyond a mock guard back within the guard's limit (a string or list cut, an
 * object's extra keys dropped), so that the rest of the answer can still be checked.
 */
function withinGuard(body: unknown, error: ErrorObject): boolean {
  const keys = error.instancePath.split('/').slice(1);
  const last = keys.pop();
  const parent = keys.reduce<unknown>(
    (at, key) => (at as Record<string, unknown> | undefined)?.[key],
    body,
  ) as Record<string, unknown> | undefined;
  const limit = error.params.limit as number;
  if (!parent || last === undefined || typeof limit !== 'number') return false;
  const value = parent[last];
  if (typeof value === 'string' || Array.isArray(value)) parent[last] = value.slice(0, limit);
  else if (value && typeof value === 'object') {
    parent[last] = Object.fromEntries(Object.entries(value).slice(0, limit));
  } else return false;
  return true;
}

/**
 * Validates an answer against its operation's schema for the status. Where drift is allowed,
 * fields the contract does not know and codes it does not declare there are recorded as drift,
 * then set aside; whatever else breaks the schema fails the case.
 */
function checkAgainstContract(where: string, answer: ApiAnswer): void {
  const { method, path } = answer.request;
  const op = findOperation(OPERATIONS, method, path.split('?')[0]);
  // An unknown route or another method on a known path: the envelope is all there is to check.
  const status = op ? statusKey(op, answer.status) : undefined;
  if (op && !status) {
    assert.fail(failure(where, `openapi.yaml does not list ${answer.status} here`, answer));
  }
  const schema = op && status ? op.responseSchemas[status] : contract.schema('error');
  const allowed: readonly ErrorCode[] = (op && status && op.errorCodes[status]) || ERROR_CODES;
  const named = op && status ? op.responses[status] : 'error';
  checkValue(
    where,
    answer,
    answer.body,
    named,
    (data) => contract.validateInline(schema, data),
    allowed,
  );
}

/**
 * Checks a value of an answer (the whole body, or one item of it) against a schema. Against the
 * suite's own mock any difference fails. Against another deployment a value beyond a mock guard
 * is information, a field the contract does not know or an undeclared error code is drift, each
 * set aside before the rest is checked; anything else fails.
 */
function checkValue(
  where: string,
  answer: ApiAnswer,
  value: unknown,
  named: string,
  validate: (data: unknown) => Validation<unknown>,
  allowed: readonly ErrorCode[] = ERROR_CODES,
): void {
  const body: unknown = structuredClone(value);
  for (let round = 0; round < 100; round++) {
    const result = validate(body);
    if (result.valid) return;
    if (!run().driftAllowed) {
      const [first] = result.errors;
      assert.fail(
        failure(
          where,
          `against ${named} at ${first.schemaPath} (${first.instancePath || '/'}): ${result.message}`,
          answer,
        ),
      );
    }
    const guarded = result.errors.filter(
      (error) => isMockGuardError(error) && withinGuard(body, error),
    );
    for (const error of guarded) {
      information(
        `${where}: ${answer.status} holds ${result.message}, beyond the mock's guard (${error.keyword})`,
      );
    }
    if (guarded.length > 0) continue;
    const extras = result.errors.filter(
      (error) =>
        error.keyword === 'additionalProperties' &&
        removeExtra(body, error.instancePath, error.params.additionalProperty),
    );
    for (const extra of extras) {
      drift(
        `${where}: ${answer.status} has a field the contract does not know: ${extra.instancePath}/${String(extra.params.additionalProperty)}`,
      );
    }
    if (extras.length > 0) continue;
    const code = (body as { error?: unknown }).error;
    if (typeof code === 'string' && !allowed.includes(code as ErrorCode)) {
      drift(`${where}: ${answer.status} answered error code "${code}", not declared there`);
      (body as { error: string }).error = allowed[0];
      continue;
    }
    assert.fail(failure(where, `against ${named}: ${result.message}`, answer));
  }
}

/** One value of an answer (an item of a list) against a schemas/ file, as answers are checked. */
export function assertFollows(
  where: string,
  answer: ApiAnswer,
  schema: SchemaName,
  value: unknown,
): void {
  counted();
  checkValue(where, answer, value, schema, (data) => contract.validate(schema, data));
}

/** Checks the parts every answer shares: the status, a JSON body, the contract's schema. */
function checkAnswer(where: string, answer: ApiAnswer, status: number): boolean {
  const problem = prismProblem(answer);
  if (problem) {
    counted();
    if (problem.type.endsWith('#VIOLATIONS')) {
      // Prism holds answers to the closed schemas; where drift is allowed, that part is drift.
      const drifted = run().driftAllowed ? driftOnly(problem) : null;
      for (const message of drifted ?? []) drift(`${where}: Prism: ${message}`);
      if (drifted) return false;
      assert.fail(
        failure(where, `Prism: the answer breaks openapi.yaml: ${problem.detail ?? ''}`, answer),
      );
    }
    // Prism refused the request before the target saw it: openapi.yaml refuses it too.
    if (status >= 400) return false;
    assert.fail(failure(where, `Prism: openapi.yaml refuses this request`, answer));
  }
  assert.equal(answer.status, status, failure(where, `expected ${status}`, answer));
  assert.match(
    answer.headers.get('content-type') ?? '',
    /^application\/json/,
    failure(where, 'Content-Type is not JSON', answer),
  );
  assert.notEqual(answer.body, undefined, failure(where, 'the body is not JSON', answer));
  checkAgainstContract(where, answer);
  return true;
}

/** A success answer: the status, and the schema openapi.yaml names for it (`schema`). */
export function assertSuccess(
  where: string,
  answer: ApiAnswer,
  status: number,
  schema: SchemaName,
): void {
  checkAnswer(`${where} (${schema})`, answer, status);
}

/**
 * An error answer: the status and the code. Against another deployment an unknown code with
 * the expected status is drift (the app reads the status); a known other code is a failure.
 * True when the target's own answer was checked (not Prism's refusal, not drift).
 */
export function assertError(
  where: string,
  answer: ApiAnswer,
  status: number,
  code: string,
): boolean {
  if (!checkAnswer(where, answer, status)) return false;
  const got = (answer.body as { error: string }).error;
  if (got !== code && run().driftAllowed && !ERROR_CODES.includes(got as ErrorCode)) {
    drift(`${where}: expected error ${code}, got "${got}", a code the contract does not know`);
    return false;
  }
  assert.equal(got, code, failure(where, `expected error ${code}`, answer));
  return true;
}

/**
 * The refusal of one of the mock's guards: the code, and a message that names the field and the
 * limit (`name: at most 200 characters …`). Prism refusing first is a pass, as for any refusal.
 */
export function assertGuardRefusal(
  where: string,
  answer: ApiAnswer,
  code: ErrorCode,
  message: string,
): void {
  if (!assertError(where, answer, statusOf(code), code)) return;
  const said = (answer.body as { message?: unknown }).message;
  assert.ok(
    typeof said === 'string' && said.startsWith(message),
    failure(where, `the message does not start with "${message}"`, answer),
  );
}
