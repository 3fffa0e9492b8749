/**
 * The mock's state: collections in memory, made durable by the journal (every committed
 * transaction) and the snapshot (everything, rewritten when the journal has grown as big as it).
 *
 * Transactions are applied to memory synchronously when committed and answered once their
 * journal line is on disk. Handlers read and commit without awaiting in between, so on Node's
 * single thread no two transactions interleave.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { assertValid } from '../../schemas/validator';
import {
  COLLECTION_NAMES,
  ENTITY_SCHEMA,
  emptyCollections,
  type Change,
  type CollectionName,
  type Collections,
  type RecordOf,
} from './collections';
import { Journal } from './journal';
import { readSnapshot, writeSnapshot } from './snapshot';
import type { Contact, EventName, EventRecord, WebhookEvent } from '../../schemas/generated';

export interface StoreOptions {
  /** The data file; the journal is beside it. Absent: memory only. */
  file?: string;
  /**
   * Loaded when the data file does not exist yet, and then remembered beside it: reset() puts
   * back the seed a data file was created from, whatever a later start is given.
   */
  seed: Collections;
  /** Check every record against its entity schema before it is stored (tests, seed files). */
  verifyRecords?: boolean;
  /** Compact once the journal is this big, or as big as the last snapshot if that is bigger. */
  compactAfterBytes?: number;
  /** Records of these collections older than this (by created_at) are dropped at compaction. */
  expireAfterMs?: Partial<Record<CollectionName, number>>;
}

type Indexes = { [C in CollectionName]: Map<string, RecordOf<C>> };

export class Store {
  /** The live collections. Their arrays are mutated in place: json-server holds on to them. */
  readonly data: Collections = emptyCollections();
  private byId = {} as Indexes;
  private contactsByEmail = new Map<string, Contact>();
  private eventsByKind = new Map<string, EventRecord[]>();
  private snapshotBytes = 0;
  private committed: ((changes: Change[]) => void)[] = [];
  private compacting = false;

  private constructor(
    private readonly options: StoreOptions,
    private readonly journal: Journal | null,
    /** The seed reset() puts back: the one this data file was created from. */
    readonly seed: Collections,
  ) {}

  static async open(options: StoreOptions): Promise<Store> {
    if (!options.file) {
      const store = new Store(options, null, options.seed);
      store.load(options.seed);
      return store;
    }
    mkdirSync(path.dirname(options.file), { recursive: true });
    const snapshot = readSnapshot(options.file) as Collections | undefined;
    const seed = snapshot ? rememberedSeed(options.file, options.seed) : options.seed;
    if (!snapshot) await writeSnapshot(seedFile(options.file), JSON.stringify(seed));
    const { journal, lines } = await Journal.open(journalFile(options.file));
    const store = new Store(options, journal, seed);
    store.load(snapshot ?? seed);
    for (const line of lines) store.apply((JSON.parse(line) as { changes: Change[] }).changes);
    if (!snapshot) await store.compact();
    return store;
  }

  /** True when changes go to a data file, false for a memory-only store. */
  get durable(): boolean {
    return this.journal !== null;
  }

  get<C extends CollectionName>(collection: C, id: string): RecordOf<C> | undefined {
    return this.byId[collection].get(id);
  }

  all<C extends CollectionName>(collection: C): readonly RecordOf<C>[] {
    return this.data[collection];
  }

  contactByEmail(workspaceId: string, email: string): Contact | undefined {
    return this.contactsByEmail.get(emailKey(workspaceId, email));
  }

  /** The payloads of the newest events of one kind in a workspace, newest first. */
  recentPayloads(workspaceId: string, event: EventName, limit: number): WebhookEvent[] {
    const events = this.eventsByKind.get(`${workspaceId}\n${event}`) ?? [];
    return events
      .slice(-limit)
      .reverse()
      .map((record) => record.payload);
  }

  /** Calls the listener with every transaction once it is durable (the delivery outbox). */
  onCommit(listener: (changes: Change[]) => void): void {
    this.committed.push(listener);
  }

  /**
   * Applies the changes to memory now and resolves once they are durable. Throws, changing
   * nothing, if a record is invalid (with verifyRecords).
   */
  async commit(changes: Change[]): Promise<void> {
    if (this.options.verifyRecords) {
      for (const change of changes) {
        if (change.op === 'put') assertValid(ENTITY_SCHEMA[change.c], change.r);
      }
    }
    const undo = this.apply(changes);
    try {
      await this.write(changes);
    } catch (error) {
      // Not on disk, so not done: nothing of it may stay visible (nor be replayed).
      this.apply(undo);
      throw error;
    }
    for (const listener of this.committed) listener(changes);
  }

  private write(changes: Change[]): Promise<void> {
    if (!this.journal) return Promise.resolve();
    const written = this.journal.append(JSON.stringify({ changes }));
    const limit = Math.max(this.options.compactAfterBytes ?? 4 * 1024 * 1024, this.snapshotBytes);
    if (this.journal.size > limit && !this.compacting) {
      this.compacting = true;
      this.journal.requestMaintenance(() =>
        this.compact().finally(() => (this.compacting = false)),
      );
    }
    return written;
  }

  /** Puts back the seed the data file was created from (or another one), durably. */
  reset(seed: Collections = this.seed): Promise<void> {
    return this.commit([{ op: 'reset', data: structuredClone(seed) }]);
  }

  /** Waits until everything committed is on disk, writes a snapshot and closes the journal. */
  async close(): Promise<void> {
    if (!this.journal) return;
    await this.journal.flush();
    await this.compact();
    await this.journal.close();
  }

  /**
   * Writes the whole state as the new snapshot, then empties the journal. Runs between journal
   * writes. Changes applied to memory but not yet journaled are in the snapshot and will also
   * be appended to the emptied journal: replaying a put or a delete twice changes nothing.
   */
  private async compact(): Promise<void> {
    if (!this.journal || !this.options.file) return;
    this.expire();
    const text = JSON.stringify(this.data);
    await writeSnapshot(this.options.file, text);
    this.snapshotBytes = Buffer.byteLength(text);
    await this.journal.truncate();
  }

  /**
   * Drops expired records from memory just before a snapshot. Not journaled: if the snapshot is
   * not written, the records simply come back from the journal and expire next time.
   */
  private expire(): void {
    for (const [collection, ms] of Object.entries(this.options.expireAfterMs ?? {})) {
      const cutoff = new Date(Date.now() - ms).toISOString();
      const records = this.data[collection as CollectionName] as {
        id: string;
        created_at: string;
      }[];
      for (const record of records.filter((r) => r.created_at < cutoff)) {
        this.delete(collection as CollectionName, record.id);
      }
    }
  }

  private load(data: Collections): void {
    for (const name of COLLECTION_NAMES) {
      const records = (data[name] ?? []) as RecordOf<CollectionName>[];
      if (this.options.verifyRecords) {
        for (const record of records) assertValid(ENTITY_SCHEMA[name], record);
      }
      const live = this.data[name] as RecordOf<CollectionName>[];
      live.splice(0, live.length, ...structuredClone(records));
      (this.byId as Record<CollectionName, Map<string, unknown>>)[name] = new Map(
        live.map((record) => [record.id, record]),
      );
    }
    this.contactsByEmail = new Map(
      this.data.contacts.map((contact) => [contactKey(contact), contact]),
    );
    this.eventsByKind = new Map();
    const events = [...this.data.events].sort((a, b) => a.created_at.localeCompare(b.created_at));
    for (const event of events) this.indexEvent(event);
  }

  /** Applies changes to memory; returns the changes that undo them. */
  private apply(changes: Change[]): Change[] {
    const undo: Change[] = [];
    for (const change of changes) {
      if (change.op === 'reset') {
        undo.push({ op: 'reset', data: structuredClone(this.data) });
        this.load(change.data);
        continue;
      }
      const id = change.op === 'put' ? change.r.id : change.id;
      const before = this.byId[change.c].get(id);
      undo.push(
        before
          ? { op: 'put', c: change.c, r: structuredClone(before) }
          : { op: 'del', c: change.c, id },
      );
      if (change.op === 'put') this.put(change.c, change.r);
      else this.delete(change.c, change.id);
    }
    return undo.reverse();
  }

  private put(collection: CollectionName, record: RecordOf<CollectionName>): void {
    const index = this.byId[collection] as Map<string, RecordOf<CollectionName>>;
    const existing = index.get(record.id);
    if (existing) {
      // Update in place: the array json-server reads keeps the same object.
      if (collection === 'contacts') this.contactsByEmail.delete(contactKey(existing as Contact));
      for (const key of Object.keys(existing))
        if (!(key in record)) delete (existing as never)[key];
      Object.assign(existing, structuredClone(record));
      if (collection === 'contacts')
        this.contactsByEmail.set(contactKey(existing as Contact), existing as Contact);
      return;
    }
    const stored = structuredClone(record);
    (this.data[collection] as RecordOf<CollectionName>[]).push(stored);
    index.set(stored.id, stored);
    if (collection === 'contacts')
      this.contactsByEmail.set(contactKey(stored as Contact), stored as Contact);
    if (collection === 'events') this.indexEvent(stored as EventRecord);
  }

  private delete(collection: CollectionName, id: string): void {
    const index = this.byId[collection] as Map<string, RecordOf<CollectionName>>;
    const existing = index.get(id);
    if (!existing) return;
    index.delete(id);
    const records = this.data[collection] as RecordOf<CollectionName>[];
    records.splice(records.indexOf(existing), 1);
    if (collection === 'contacts') this.contactsByEmail.delete(contactKey(existing as Contact));
    if (collection === 'events') {
      const event = existing as EventRecord;
      const list = this.eventsByKind.get(`${event.workspace_id}\n${event.event}`);
      list?.splice(list.indexOf(event), 1);
    }
  }

  private indexEvent(event: EventRecord): void {
    const key = `${event.workspace_id}\n${event.event}`;
    const list = this.eventsByKind.get(key);
    if (list) list.push(event);
    else this.eventsByKind.set(key, [event]);
  }
}

export function journalFile(dataFile: string): string {
  return `${dataFile}.journal`;
}

/** Emails are unique per workspace, compared case-insensitively. */
function emailKey(workspaceId: string, email: string): string {
  return `${workspaceId}\n${email.toLowerCase()}`;
}

function contactKey(contact: Contact): string {
  return emailKey(contact.workspace_id, contact.email);
}

/** Where a data file keeps the seed it was created from. */
export function seedFile(file: string): string {
  return `${file}.seed.json`;
}

/** The seed a data file was created from; a data file older than this file falls back. */
function rememberedSeed(file: string, fallback: Collections): Collections {
  return (readSnapshot(seedFile(file)) as Collections | undefined) ?? fallback;
}
