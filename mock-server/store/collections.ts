/**
 * The store's collections: plain arrays of records, each record valid against its entity
 * schema. The same layout is the data file, a seed file and what json-server browses.
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

export function emptyCollections(): Collections {
  return Object.fromEntries(COLLECTION_NAMES.map((name) => [name, []])) as unknown as Collections;
}

/** One change, as the journal records it. Puts carry the whole record, so replay is idempotent. */
export type Change =
  | { op: 'put'; c: CollectionName; r: RecordOf<CollectionName> }
  | { op: 'del'; c: CollectionName; id: string }
  | { op: 'reset'; data: Collections };
