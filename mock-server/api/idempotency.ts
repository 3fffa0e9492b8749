/**
 * Idempotency keys of create-style POSTs, as a wrapper around an endpoint's handler. Scope:
 * workspace + method + route + its decoded path parameters + key, so `conv_123` and
 * `conv%5F123` are one scope. The first 2xx answer is stored with the request's changes (one
 * commit) and replayed byte for byte to a later request with the same key and payload; another
 * payload is a conflict. Requests racing on one key wait for the one being executed: if it
 * succeeds they get its replay, if it fails the next one executes itself. Failures store
 * nothing, so a corrected retry may reuse the key.
 */
import { hash as digest } from 'node:crypto';
import type { IdempotencyRecord } from '../../schemas/generated';
import { describeErrors, validate } from '../../schemas/validator';
import { now } from '../domain/clock';
import { ApiError } from '../http/errors';
import {
  commitWhenAnswered,
  type AnyInput,
  type Answer,
  type Commit,
  type Handling,
} from '../http/routing';
import type { Store } from '../store/store';
import type { Caller, Endpoint } from './endpoint';
import { storeRecord } from '../store/collections';

/** Keys are kept this long (the contract asks for at least 24 hours); expiry deletes older ones. */
export const IDEMPOTENCY_RETENTION_MS = 48 * 60 * 60 * 1000;

export function idempotencyKeyOf(
  headers: Record<string, string | string[] | undefined>,
): string | null {
  const header = headers['idempotency-key'] === undefined ? 'X-Idempotency-Key' : 'Idempotency-Key';
  const value = headers[header.toLowerCase()];
  if (value === undefined) return null;
  const result = validate('requests/idempotency-key', value);
  if (!result.valid) throw new ApiError('invalid-request', describeErrors(result.errors, header));
  return result.value;
}

interface Scope {
  workspaceId: string;
  /** The path with its decoded parameters: what the record shows. */
  path: string;
  /** The route pattern and the decoded parameters, exactly: what the scope's id hashes. */
  route: string;
  key: string;
}

export class Idempotency {
  /** The scopes being executed, each until its answer is durable (or has failed). */
  private running = new Map<string, Promise<Answer>>();

  constructor(
    private readonly store: Store,
    private readonly prefix: string,
  ) {}

  /** The endpoint's handling with idempotency keys: it commits the answer with its record. */
  wrap(
    endpoint: Endpoint,
    handle: (input: AnyInput<Caller>) => Answer | Promise<Answer>,
    commit: Commit,
  ): Handling<Caller> {
    return (input, request) => {
      const key = idempotencyKeyOf(request.headers);
      if (key === null) return commitWhenAnswered(handle(input), commit);
      const scope = this.scopeOf(endpoint, input, key);
      const id = hash(`${scope.workspaceId}\nPOST\n${scope.route}\n${scope.key}`);
      const requestHash = hash(canonicalJson(input.body));
      // A retry of a stored answer (the common case) is answered in this tick: the promises of
      // the path below cost a replay about a tenth of its time.
      if (!this.running.has(id)) {
        const stored = this.store.get('idempotency_keys', id);
        if (stored) return replay(stored, requestHash);
      }
      return this.replayOrExecute(id, scope, requestHash, input, handle, commit);
    };
  }

  /**
   * Waits for the request running on this scope, if one is, then replays the stored answer or
   * executes this one: only one request of a scope executes at a time.
   */
  private async replayOrExecute(
    id: string,
    scope: Scope,
    requestHash: string,
    input: AnyInput<Caller>,
    handle: (input: AnyInput<Caller>) => Answer | Promise<Answer>,
    commit: Commit,
  ): Promise<Answer> {
    for (;;) {
      // The running request first: its record is in memory before it is on disk.
      const running = this.running.get(id);
      if (running) {
        await running.catch(() => undefined);
        continue;
      }
      const stored = this.store.get('idempotency_keys', id);
      if (stored) return replay(stored, requestHash);
      const execution = this.execute(handle, commit, input, (answer, text) => ({
        id,
        workspace_id: scope.workspaceId,
        method: 'POST',
        path: scope.path,
        key: scope.key,
        request_hash: requestHash,
        status: answer.status,
        body: text,
        created_at: now(),
      }));
      this.running.set(id, execution);
      try {
        return await execution;
      } finally {
        this.running.delete(id);
      }
    }
  }

  /** Runs the handler and commits its changes with the record of a 2xx answer, in one commit. */
  private async execute(
    handle: (input: AnyInput<Caller>) => Answer | Promise<Answer>,
    commit: Commit,
    input: AnyInput<Caller>,
    record: (answer: Answer, text: string) => IdempotencyRecord,
  ): Promise<Answer> {
    const answer = await handle(input);
    const text = answer.text ?? JSON.stringify(answer.body);
    const changes = [...(answer.changes ?? [])];
    if (answer.status >= 200 && answer.status < 300) {
      changes.push(storeRecord('idempotency_keys', record(answer, text)));
    }
    // Sent as the text it is stored as, so a replay is the same bytes.
    return commit({ status: answer.status, headers: answer.headers, text, changes });
  }

  private scopeOf(endpoint: Endpoint, input: AnyInput<Caller>, key: string): Scope {
    // Path parameters, decoded by the router and checked against the route's params schema;
    // any route's, so typed only as strings here.
    const params = (input.params ?? {}) as Record<string, string>;
    // Only a route with parameters has a pattern to fill in (POST /contacts has none).
    const path = endpoint.url.includes(':')
      ? endpoint.url.replace(/:(\w+)/g, (_match, name: string) => params[name] ?? '')
      : endpoint.url;
    return {
      workspaceId: input.workspace.id,
      path: `${this.prefix}${path}`,
      route: JSON.stringify([endpoint.url, params]),
      key,
    };
  }
}

function replay(stored: IdempotencyRecord, requestHash: string): Answer {
  if (stored.request_hash !== requestHash) {
    throw new ApiError(
      'idempotency-key-conflict',
      'this idempotency key was already used with a different payload',
    );
  }
  return { status: stored.status, text: stored.body, headers: { 'idempotent-replayed': 'true' } };
}

function hash(text: string): string {
  return digest('sha256', text, 'hex');
}

/** JSON with object keys sorted, so that key order never makes two payloads differ. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // Loops rather than map/filter/join: every idempotent request hashes its body this way.
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i ? ',' : '') + canonicalJson(value[i]);
    return `${text}]`;
  }
  const object = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(object).sort()) {
    const member = object[key];
    if (member === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${text}}`;
}
