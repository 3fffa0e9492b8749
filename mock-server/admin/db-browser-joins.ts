/**
 * The db browser's `_expand` and `_embed`, done here rather than by json-server. json-server
 * looks each reference up by scanning the whole collection, once per record it shows: 16,000
 * messages expanded to their conversations took 9 s and held every other request. Here each
 * collection a join reads is indexed once per request, so a join costs what it reads and shows.
 *
 * The meaning is json-server's (foreign keys end in `_id`, names through pluralize):
 * `_expand=conversation` sets `conversation` to the record of `conversations` whose id is the
 * record's `conversation_id`; `_embed=messages` on conversations sets `messages` to every message
 * whose `conversation_id` is the conversation's id. Two differences: a record without the
 * reference is shown without the expanded field (json-server threw on it), and a name that is
 * no collection is refused (json-server showed nothing).
 */
import pluralize from 'pluralize';
import { ApiError } from '../http/errors';
import { isCollectionName, type CollectionName } from '../store/collections';

export interface Joins {
  /** Singular names, each followed through `<name>_id` into the collection of its plural. */
  expand: string[];
  /** Collections whose records point back at each shown record. */
  embed: CollectionName[];
}

type Row = Record<string, unknown>;

/** The collection `name` (as the query gave it) joins, `collection`; invalid-request if none. */
function collectionNamed(collection: string, parameter: string, name: string): CollectionName {
  if (!isCollectionName(collection)) {
    throw new ApiError(
      'invalid-request',
      `${parameter}=${name}: there is no collection ${collection}`,
    );
  }
  return collection;
}

/** The joins a query asks for, each name checked; invalid-request for one that names nothing. */
export function readJoins(expand: string[], embed: string[]): Joins {
  for (const name of expand) collectionNamed(pluralize(name), '_expand', name);
  return { expand, embed: embed.map((name) => collectionNamed(name, '_embed', name)) };
}

/** Every collection the joins read, beside the one shown. */
export function joinedCollections({ expand, embed }: Joins): CollectionName[] {
  return [...expand.map((name) => pluralize(name) as CollectionName), ...embed];
}

/** A key for an id as json-server compares them (by their text). */
const keyOf = (value: unknown): string | null =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : null;

/**
 * Adds the joined fields to `shown` (one record, or the page of a list), reading the other
 * collections from `data`; `collection` is the one `shown` comes from.
 */
export function applyJoins(
  shown: unknown,
  collection: CollectionName,
  data: Record<string, unknown>,
  { expand, embed }: Joins,
): void {
  const records = (Array.isArray(shown) ? shown : [shown]).filter(
    (record): record is Row => typeof record === 'object' && record !== null,
  );
  const rows = (name: CollectionName) => (data[name] as Row[] | undefined) ?? [];
  const backReference = `${pluralize.singular(collection)}_id`;
  for (const name of embed) {
    const byReference = new Map<string, Row[]>();
    for (const row of rows(name)) {
      const key = keyOf(row[backReference]);
      if (key === null) continue;
      const group = byReference.get(key);
      if (group) group.push(row);
      else byReference.set(key, [row]);
    }
    for (const record of records) record[name] = byReference.get(keyOf(record.id) ?? '') ?? [];
  }
  for (const name of expand) {
    const byId = new Map<string, Row>();
    for (const row of rows(pluralize(name) as CollectionName)) {
      const key = keyOf(row.id);
      if (key !== null && !byId.has(key)) byId.set(key, row);
    }
    for (const record of records) {
      const key = keyOf(record[`${name}_id`]);
      const found = key === null ? undefined : byId.get(key);
      if (found) record[name] = found;
    }
  }
}
