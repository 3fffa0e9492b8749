/**
 * Fault injection for /api/zapier, to exercise a client's error paths: rules (added through the
 * admin API) and a one-off request header, `X-Mock-Fault`, e.g.
 * `error=internal-error; status=503`, `delay=2000`, `error=rate-limited; retry_after=1`, `drop`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as delay } from 'node:timers/promises';
import type { FaultRule } from '../../schemas/generated';
import type { ErrorCode } from '../../schemas/validator';
import { readRequest } from '../../schemas/validator';
import { ApiError } from '../http/errors';
import { API_PREFIX } from './prefix';

/** The code a fault with only a status answers. */
const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  400: 'invalid-request',
  401: 'api-key-invalid',
  403: 'contact-site-forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'idempotency-key-conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'rate-limited',
};

/**
 * How many rules may be set at once: more than QA ever sets, few enough that matching them all
 * stays cheap on every request (each rule costs up to its 500-character path), whatever a loop
 * of POSTs tries (76,000 rules made every request take a quarter of a second).
 */
export const MAX_FAULT_RULES = 100;

export class FaultRules {
  private rules: FaultRule[] = [];
  private nextId = 1;

  /**
   * Adds a rule. Its path may be relative to the API's base (`/me`) or start with it; the
   * admin API has no faults, so a rule for it would never fire and is refused.
   */
  add(rule: FaultRule): FaultRule {
    if (rule.path === '/__admin' || rule.path.startsWith('/__admin/')) {
      throw new ApiError(
        'invalid-request',
        `faults apply to ${API_PREFIX} only, not the admin API`,
      );
    }
    if (this.rules.length >= MAX_FAULT_RULES) {
      throw new ApiError(
        'invalid-request',
        `at most ${MAX_FAULT_RULES} fault rules are set at once: remove one ` +
          '(DELETE /__admin/faults/{id}) or all (DELETE /__admin/faults)',
      );
    }
    const path = rule.path.startsWith(API_PREFIX) ? rule.path : `${API_PREFIX}${rule.path}`;
    const stored = { ...rule, path, id: `fault_${this.nextId++}` };
    this.rules.push(stored);
    return stored;
  }

  /** True when no rule is set: most requests then skip fault matching altogether. */
  get empty(): boolean {
    return this.rules.length === 0;
  }

  list(): FaultRule[] {
    return [...this.rules];
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  /** The first rule for this request, counting it against the rule's `times`. */
  take(method: string, path: string): FaultRule | null {
    const rule = this.rules.find(
      (candidate) =>
        ((candidate.method ?? '*') === '*' || candidate.method === method) &&
        globMatches(candidate.path, path),
    );
    if (!rule) return null;
    if (typeof rule.times === 'number') {
      rule.times -= 1;
      if (rule.times <= 0) this.remove(rule.id as string);
    }
    return rule;
  }
}

/**
 * Whether `text` matches a glob whose one special character is `*` (any run of characters, `/`
 * included), in linear time: a regular expression built from `/*a*a*a*…b` backtracks
 * exponentially. Between the fixed first and last parts, each part is taken at its first
 * occurrence after the one before: an earlier place never leaves less room for the rest, so if
 * that fails every other choice fails too. Each search starts where the last one ended.
 */
export function globMatches(glob: string, text: string): boolean {
  const parts = glob.split('*');
  const first = parts[0];
  if (parts.length === 1) return glob === text;
  const last = parts[parts.length - 1];
  const end = text.length - last.length;
  if (end < first.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = text.indexOf(parts[i], at);
    if (found === -1 || found + parts[i].length > end) return false;
    at = found + parts[i].length;
  }
  return true;
}

/** A request's path without its query, percent-decoding undone where it is well-formed. */
export function decodedPath(url: string): string {
  const path = url.split('?')[0];
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Reads an X-Mock-Fault header into a rule; a malformed one is invalid-request. */
export function faultFromHeader(header: string, path: string): FaultRule {
  const rule: Record<string, unknown> = { path };
  for (const part of header
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value] = part.split('=').map((p) => p.trim());
    if (name === 'drop' && value === undefined) rule.drop = true;
    else if (name === 'error') rule.error = value;
    else if (['status', 'delay', 'delay_ms', 'retry_after'].includes(name)) {
      rule[name === 'delay' ? 'delay_ms' : name] = Number(value);
    } else throw new ApiError('invalid-request', `X-Mock-Fault: unknown part "${part}"`);
  }
  const result = readRequest('admin/fault-rule', rule);
  if (!result.valid) throw new ApiError('invalid-request', `X-Mock-Fault: ${result.message}`);
  return result.value;
}

/** Applies a fault: waits, then drops the connection, answers an error, or lets it through. */
export async function applyFault(
  rule: FaultRule,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  // Unreferenced, like the mock's other timers: while the server runs its socket keeps the
  // process alive, and a delay still pending when it has stopped must not (in-process mocks of
  // tests, the zap runner's).
  if (rule.delay_ms) await delay(rule.delay_ms, undefined, { ref: false });
  if (rule.drop) {
    reply.hijack();
    request.raw.socket.destroy();
    return;
  }
  if (!rule.error && !rule.status) return;
  const code = rule.error ?? CODE_FOR_STATUS[rule.status as number] ?? 'internal-error';
  const headers: Record<string, string> = {};
  if (rule.retry_after !== undefined) headers['retry-after'] = String(rule.retry_after);
  else if (code === 'rate-limited') headers['retry-after'] = '1';
  throw new ApiError(code, 'injected fault', headers, rule.status);
}
