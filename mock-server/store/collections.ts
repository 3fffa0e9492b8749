/**
 * The store's collections: records valid against their entity schema, one table each in the
 * database. The layout of a seed file, of `chatting-mock export` and of what json-server browses
 * is an object of these collections as arrays.
 */
import type {
  ApiKey,
  Delivery,
  Contact,
  Conversation,
  EventRecord,
  IdempotencyRecord,
  Message,
  SchemaTypes,
  Site,
  Subscription,
  Workspace,
} from '../../schemas/generated';
import { mailboxKey } from '../../schemas/email-address';

export interface Collections {
  workspaces: Workspace[];
  sites: Site[];
  api_keys: ApiKey[];
  contacts: Contact[];
  conversations: Conversation[];
  messages: Message[];
  subscriptions: Subscription[];
  events: EventRecord[];
  idempotency_keys: IdempotencyRecord[];
  deliveries: Delivery[];
}

export type CollectionName = keyof Collections;
export type RecordOf<C extends CollectionName> = Collections[C][number];

/** Each collection's entity schema. */
export const ENTITY_SCHEMA = {
  workspaces: 'entities/workspace',
  sites: 'entities/site',
  api_keys: 'entities/api-key',
  contacts: 'entities/contact',
  conversations: 'entities/conversation',
  messages: 'entities/message',
  subscriptions: 'entities/subscription',
  events: 'entities/event-record',
  idempotency_keys: 'entities/idempotency-record',
  deliveries: 'entities/delivery',
} as const satisfies Record<CollectionName, keyof SchemaTypes>;

export const COLLECTION_NAMES = Object.keys(ENTITY_SCHEMA) as CollectionName[];

export function isCollectionName(name: string): name is CollectionName {
  return (COLLECTION_NAMES as string[]).includes(name);
}

/**
 * The collections whose stored records requests merge into (an upsert's tags and custom fields,
 * Add Tag): the only records a caller can grow past what one request carries. Every other record
 * is built from one request, validated within the same limits, or by the mock itself (a
 * delivery's attempts, as many as its settings allow).
 */
export const MERGED_COLLECTIONS: ReadonlySet<CollectionName> = new Set(['contacts']);

/**
 * An index column: a field of the record, or a field compared by what it names (`folded`).
 * A folded field is a real column of the table, `<field>_folded`, that the store writes with
 * every record (fold of the field's value) and that lookups compare with the folded value
 * they are given. SQLite's own lower() folds ASCII only; a function of ours registered on the
 * connection would fold in SQL, but an index on it cannot be written through by any other
 * SQLite tool. A stored column keeps the file an ordinary SQLite database.
 */
export type IndexColumn = string | { folded: string };

/**
 * How a folded field is compared. The one folded field is a contact's email, compared as the
 * mailbox it names: `JOSÉ@EXÄMPLE.com`, `josé@xn--exmple-cua.com` (and `jose\u0301@…`) are one.
 */
export function fold(value: string): string {
  return mailboxKey(value);
}

/**
 * An index of a collection. Lookups give values for its first columns; the records come in the
 * order of the remaining columns (then insertion), so a list is read from the index, not sorted.
 */
export interface IndexSpec {
  columns: readonly IndexColumn[];
}

/**
 * Each collection's indexes, by name. Records are read by id (the primary key) or through one
 * of these; nothing scans a collection. Idempotency records are read by scope through their id,
 * which is the hash of the scope.
 */
export const INDEXES = {
  workspaces: {},
  sites: { by_workspace: { columns: ['workspace_id'] } },
  api_keys: { by_workspace: { columns: ['workspace_id'] } },
  contacts: { by_email: { columns: ['workspace_id', { folded: 'email' }] } },
  conversations: {
    by_workspace: { columns: ['workspace_id'] },
    by_status: { columns: ['workspace_id', 'status'] },
  },
  messages: { by_conversation: { columns: ['conversation_id'] } },
  subscriptions: { by_event: { columns: ['workspace_id', 'event', 'active'] } },
  events: { by_kind: { columns: ['workspace_id', 'event', 'created_at'] } },
  idempotency_keys: { by_age: { columns: ['created_at'] } },
  deliveries: {
    by_status: { columns: ['status', 'next_attempt_at'] },
    by_subscription: { columns: ['subscription_id'] },
    // The admin list's filters and the dashboard's counts. An index of one field holds its
    // records in insertion order, so a filtered page is read newest first from the index alone
    // (by_status orders a status's deliveries by their next attempt, for the deliverer).
    by_workspace: { columns: ['workspace_id'] },
    by_event: { columns: ['event'] },
    by_status_newest: { columns: ['status'] },
  },
} as const satisfies Record<CollectionName, Record<string, IndexSpec>>;

/** The SQL expression of an index column; the same text in CREATE INDEX and in lookups. */
export function column(spec: IndexColumn): string {
  if (typeof spec === 'string') return `json_extract(doc, '$.${spec}')`;
  return foldedColumn(spec.folded);
}

/** The table column that holds a field folded. */
export function foldedColumn(field: string): string {
  return `${field}_folded`;
}

/** The fields of each collection that its indexes compare folded (each a column). */
export const FOLDED_FIELDS = Object.fromEntries(
  COLLECTION_NAMES.map((name) => {
    const indexes = Object.values(INDEXES[name] as Record<string, IndexSpec>);
    const fields = indexes.flatMap((index) =>
      index.columns.flatMap((spec) => (typeof spec === 'string' ? [] : [spec.folded])),
    );
    return [name, [...new Set(fields)]];
  }),
) as unknown as Record<CollectionName, readonly string[]>;

export type IndexName<C extends CollectionName> = keyof (typeof INDEXES)[C] & string;

export function emptyCollections(): Collections {
  return Object.fromEntries(COLLECTION_NAMES.map((name) => [name, []])) as unknown as Collections;
}

/**
 * One change to the store. The shorthand is the store's: the rest of the mock builds changes
 * with the functions below.
 */
export type Change =
  | { op: 'put'; c: CollectionName; r: RecordOf<CollectionName> }
  | { op: 'del'; c: CollectionName; id: string }
  | { op: 'reset'; data: Collections };

/** A change that stores a record whole (replaying it twice changes nothing). */
export function storeRecord<C extends CollectionName>(collection: C, record: RecordOf<C>): Change {
  return { op: 'put', c: collection, r: record };
}

/** A change that deletes a record. */
export function deleteRecord(collection: CollectionName, id: string): Change {
  return { op: 'del', c: collection, id };
}

/** A change that replaces everything with `data`. */
export function replaceAll(data: Collections): Change {
  return { op: 'reset', data: structuredClone(data) };
}

/** The records of one collection a transaction stores. */
export function storedRecords<C extends CollectionName>(
  changes: readonly Change[],
  collection: C,
): RecordOf<C>[] {
  return changes.flatMap((change) =>
    change.op === 'put' && change.c === collection ? [change.r as RecordOf<C>] : [],
  );
}

/** Whether a transaction replaces everything. */
export function replacesAll(changes: readonly Change[]): boolean {
  return changes.some((change) => change.op === 'reset');
}
