/**
 * A stored record obeys the limits a request does (CONTRACT.md): every record a route is about to
 * store in a collection that requests merge into (MERGED_COLLECTIONS) is checked against its
 * entity schema, which carries the limits (at most 100 tags or custom fields on a contact). An
 * upsert or a tag that would leave a record over a limit refuses the request, 400
 * invalid-request, and nothing of it is stored. Checked where every route commits, so no route
 * that merges into a stored record can forget it. Records of other collections are not: each is
 * built from one validated request, and validating every record of every write (the event and
 * idempotency records of a `POST /contacts` too) left the RSS 40 MB higher after 100,000 writes
 * (`npm run bench:store`). With `verify` (the tests) the store validates every record anyway.
 */
import type { ErrorObject } from 'ajv/dist/2020';
import { describeError, schemaJson, validate } from '../../schemas/validator';
import { ENTITY_SCHEMA, MERGED_COLLECTIONS, type Change } from '../store/collections';
import { ApiError } from './errors';

/** The keywords that bound a size: a violation of one is the request's doing, not ours. */
const SIZE_LIMITS = new Set(['maxItems', 'maxProperties', 'maxLength']);

/** Refuses the request if a record it would store is over a limit of its entity schema. */
export function checkRecordLimits(changes: readonly Change[]): void {
  for (const change of changes) {
    // A reset's seed was checked record by record when it was read.
    if (change.op !== 'put' || !MERGED_COLLECTIONS.has(change.c)) continue;
    const schema = ENTITY_SCHEMA[change.c];
    const result = validate(schema, change.r);
    if (result.valid) continue;
    const [error] = result.errors;
    if (error && SIZE_LIMITS.has(error.keyword)) {
      const entity = String(schemaJson(schema).title).toLowerCase();
      throw new ApiError('invalid-request', overLimit(error, change.r, entity));
    }
    // Anything else is a record the route built wrong: a 500 that names it.
    throw new Error(`a route built an invalid ${schema}: ${result.message}`);
  }
}

/**
 * The refusal's message, in the words of the request guards (`describeError`), with the size
 * the change would have left: `tags: at most 100 items on a stored contact; this request would
 * leave 105 (the mock's own guard, …)`.
 */
export function overLimit(error: ErrorObject, record: object, entity: string): string {
  const value = error.instancePath
    .split('/')
    .slice(1)
    .reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], record);
  const size =
    typeof value === 'string' || Array.isArray(value)
      ? value.length
      : Object.keys(value as object).length;
  return describeError(error, ` on a stored ${entity}; this request would leave ${size}`);
}
