/**
 * Idempotency keys of create-style POSTs. Scope: workspace + method + path + key. The first
 * 2xx answer is stored with the request's changes (one journal line) and replayed byte for byte
 * to a later request with the same key and payload; another payload is a conflict. Requests
 * racing on one key wait for the one being executed: if it succeeds they get its replay, if it
 * fails the next one executes itself. Failures store nothing, so a corrected retry may reuse
 * the key.
 */
import { createHash } from 'node:crypto';
import type { IdempotencyRecord } from '../schemas/generated';
import { validate } from '../schemas/validator';
import { ApiError } from './errors';
import { now } from './ids';
import type { Store } from './store/store';

export interface SentAnswer {
  status: number;
  text: string;
  replayed: boolean;
}

/** Keys are kept this long (the contract asks for at least 24 hours); compaction drops older ones. */
export const IDEMPOTENCY_RETENTION_MS = 48 * 60 * 60 * 1000;

export function idempotencyKeyOf(
  headers: Record<string, string | string[] | undefined>,
): string | null {
  const value = headers['idempotency-key'] ?? headers['x-idempotency-key'];
  if (value === undefined) return null;
  if (typeof value !== 'string' || !validate('requests/idempotency-key', value).valid) {
    throw new ApiError(
      'invalid-request',
      'Idempotency-Key must be 1 to 255 printable ASCII characters',
    );
  }
  return value;
}

/** Makes the record that stores a 2xx answer under the request's key. */
export type Remember = (status: number, text: string) => IdempotencyRecord;

export interface Scope {
  workspaceId: string;
  method: 'POST';
  path: string;
  key: string;
}

export class Idempotency {
  private running = new Map<string, Promise<SentAnswer>>();

  constructor(private readonly store: Store) {}

  /**
   * Runs `execute` once per scope. `execute` gets the record to store with its changes when it
   * answers 2xx, and must throw (an ApiError) for every other answer.
   */
  async run(
    scope: Scope,
    body: unknown,
    execute: (remember: Remember) => Promise<SentAnswer>,
  ): Promise<SentAnswer> {
    const id = hash(`${scope.workspaceId}\n${scope.method}\n${scope.path}\n${scope.key}`);
    const requestHash = hash(canonicalJson(body));
    for (;;) {
      // The running request first: its record is in memory before it is on disk.
      const running = this.running.get(id);
      if (running) {
        await running.catch(() => undefined);
        continue;
      }
      const stored = this.store.get('idempotency_keys', id);
      if (stored) {
        if (stored.request_hash !== requestHash) {
          throw new ApiError(
            'idempotency-key-conflict',
            'this idempotency key was already used with a different payload',
          );
        }
        return { status: stored.status, text: stored.body, replayed: true };
      }
      const execution = execute((status, text) => ({
        id,
        workspace_id: scope.workspaceId,
        method: scope.method,
        path: scope.path,
        key: scope.key,
        request_hash: requestHash,
        status,
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
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so that key order never makes two payloads differ. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
