/**
 * The mock's state in SQLite (node:sqlite): one table per collection, each record a JSON
 * document keyed by id, read by primary key or through the indexes its collection declares.
 *
 * Group commit: the first commit of a tick opens a transaction, every commit of that tick writes
 * into it (each in a savepoint, so one failing change undoes only itself), and the transaction
 * is committed once the tick is over; each caller is answered after COMMIT, with the whole
 * batch's error if it failed. Reads on the one connection see what is written, so a handler
 * reads the changes of the tick's earlier handlers, as it would once they are committed.
 * A file database is in WAL mode with synchronous=FULL: after COMMIT returns, the batch is on
 * disk. locking_mode=EXCLUSIVE keeps other processes out of the file for as long as we run.
 *
 * Background work that stores something (a delivery's outcome, expiry) goes through persist():
 * what could not be stored is tried again on the store's own schedule, with nobody waiting.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { types } from 'node:util';
import { assertValid } from '../../schemas/validator';
import {
  COLLECTION_NAMES,
  ENTITY_SCHEMA,
  INDEXES,
  column,
  deleteRecord,
  emptyCollections,
  fold,
  foldedColumn,
  FOLDED_FIELDS,
  type Change,
  type CollectionName,
  type Collections,
  type IndexName,
  type IndexSpec,
  type RecordOf,
} from './collections';
import { openDatabase, recordCleanClose, SEED_KEY } from './database';

export interface StoreOptions {
  /** The database file. Absent: an in-memory database (nothing read or written). */
  file?: string;
  /**
   * Loaded into a new database and remembered in it: reset() puts back the seed a database was
   * created from, whatever a later start is given. Absent (export, which only reads): a
   * database that was never created is refused.
   */
  seed?: Collections;
  /** Check every record against its entity schema before it is stored (tests, seed files). */
  verifyRecords?: boolean;
  /** Records of these collections older than this (by created_at) are deleted, in batches. */
  expireAfterMs?: Partial<Record<CollectionName, number>>;
  /** How often expiry runs (default every 10 minutes; it also runs at start). */
  expireEveryMs?: number;
  /** How long background work that could not be stored waits to be tried again (default 1 s). */
  retryEveryMs?: number;
}

/** How long background work that could not be stored waits to be tried again, by default. */
export const RETRY_EVERY_MS = 1000;

/** Records deleted per expiry transaction: a batch holds the event loop for a few ms at most. */
export const EXPIRY_BATCH = 1000;

interface Pending {
  changes: Change[];
  done: () => void;
  failed: (error: Error) => void;
}

/** Reads kept at most per collection (then its cache starts over), and rows a kept read has at most. */
const READ_CACHE_LIMIT = 1024;
const READ_CACHE_ROWS = 50;

/** A kept read: the records it answered, frozen, so every caller can be given the same objects. */
type Rows = readonly RecordOf<CollectionName>[];

export class Store {
  private statements = new Map<string, StatementSync>();
  /**
   * Each collection's reads, by SQL, then by parameters: the records they answered, parsed once
   * and deep-frozen. A write to a collection empties its cache, and the collection is not cached
   * again until its batch is committed, so only committed rows are kept (a rollback cannot leave
   * a record behind). Reads of a collection nothing writes (API keys, workspaces) stay cached
   * through other collections' writes.
   */
  private readCache = new Map<CollectionName, Map<string, Map<string, Rows>>>();
  /** The collections the open batch has written: not cached until it is committed. */
  private dirty = new Set<CollectionName>();
  /** The SQL of each find(), by collection, index, values given and order. */
  private findSql = new Map<string, string>();
  private listeners: ((changes: Change[]) => void)[] = [];
  /** The commits of this tick, written into the open transaction; null when none is open. */
  private batch: Pending[] | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  /** Background work waiting for its next try, woken together so that one batch holds it all. */
  private retryWaiters = new Set<() => void>();
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(
    private readonly db: DatabaseSync,
    private readonly options: StoreOptions,
    /** True when this open created the database and loaded its seed. */
    readonly created: boolean,
  ) {}

  /**
   * Opens (or creates) the database. Refuses, naming the file and the cause, one that another
   * process has open, that is not a chatting-mock database, is damaged, is newer than this code,
   * or cannot be written. A new database is created with its seed in one transaction.
   */
  static open(options: StoreOptions): Store {
    const { seed } = options;
    if (seed && options.verifyRecords) verifyAll(seed);
    const { db, created } = openDatabase(options.file, seed && ((fresh) => writeSeed(fresh, seed)));
    const store = new Store(db, options, created);
    if (options.expireAfterMs) {
      // Not awaited: a start with nothing to expire is not slowed, and one on a full disk still
      // starts (and serves reads) while expiry waits for room.
      const expire = () => void store.expire().catch(() => undefined);
      expire();
      store.expiryTimer = setInterval(expire, options.expireEveryMs ?? 10 * 60_000);
      store.expiryTimer.unref();
    }
    return store;
  }

  /** True when the database is a file, false for an in-memory one. */
  get durable(): boolean {
    return Boolean(this.options.file);
  }

  /** The seed reset() puts back: the one this database was created from. */
  get seed(): Collections {
    const row = this.statement('SELECT value FROM meta WHERE key = ?').get(SEED_KEY) as
      { value: string } | undefined;
    return row ? (JSON.parse(row.value) as Collections) : emptyCollections();
  }

  /**
   * The records the store returns are frozen (they may be shared with other callers): build a
   * changed copy to store a change.
   */
  get<C extends CollectionName>(collection: C, id: string): RecordOf<C> | undefined {
    return this.read(collection, `SELECT doc FROM ${collection} WHERE id = ?`, id, [id])[0];
  }

  /** Every record of a collection, in the order they were first stored. */
  all<C extends CollectionName>(collection: C): RecordOf<C>[] {
    return [...this.read(collection, `SELECT doc FROM ${collection} ORDER BY rowid`, '', [])];
  }

  /**
   * The records whose first index columns equal `values`, in the order of the index's other
   * columns (then of insertion), oldest first or newest first.
   */
  find<C extends CollectionName>(
    collection: C,
    index: IndexName<C>,
    values: readonly (string | boolean | null)[],
    options: { limit?: number; newestFirst?: boolean } = {},
  ): RecordOf<C>[] {
    const limited = options.limit !== undefined;
    const shape = `${collection}\u0000${index}\u0000${values.length}\u0000${options.newestFirst}\u0000${limited}`;
    let sql = this.findSql.get(shape);
    if (sql === undefined) {
      const { where, order } = this.lookup(collection, index, values.length, options.newestFirst);
      sql = `SELECT doc FROM ${collection} WHERE ${where} ORDER BY ${order}${limited ? ' LIMIT ?' : ''}`;
      this.findSql.set(shape, sql);
    }
    const parameters = this.lookupValues(collection, index, values);
    if (limited) parameters.push(options.limit as number);
    return [...this.read(collection, sql, JSON.stringify(parameters), parameters)];
  }

  /** How many records match, as find() would list them. */
  count<C extends CollectionName>(
    collection: C,
    index: IndexName<C>,
    values: readonly (string | boolean | null)[],
  ): number {
    const { where } = this.lookup(collection, index, values.length, false);
    const sql = `SELECT count(*) AS n FROM ${collection} WHERE ${where}`;
    const parameters = this.lookupValues(collection, index, values);
    return (this.statement(sql).get(...parameters) as { n: number }).n;
  }

  /**
   * One page of the records whose fields equal `filters` (a filter left undefined matches every
   * record), oldest or newest first, and how many match in all. Only the page is read and
   * parsed: a filter should be a field that leads one of the collection's indexes, so that
   * SQLite reads the matching rows through it (without a filter, the table in rowid order).
   */
  page<C extends CollectionName>(
    collection: C,
    filters: Filters,
    options: { limit: number; offset: number; newestFirst?: boolean },
  ): { items: RecordOf<C>[]; total: number } {
    const { where, parameters } = matching(filters);
    const order = options.newestFirst ? 'rowid DESC' : 'rowid';
    const sql = `SELECT doc FROM ${collection} WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`;
    const paged = [...parameters, options.limit, options.offset];
    const items = [...this.read(collection, sql, JSON.stringify(paged), paged)];
    const counted = `SELECT count(*) AS n FROM ${collection} WHERE ${where}`;
    const total = (this.statement(counted).get(...parameters) as { n: number }).n;
    return { items, total };
  }

  /**
   * How many records of each of `values` of `field` also match `filters`, in one query. `field`
   * (and the filters) should be columns of one of the collection's indexes: each value is then
   * counted in that index alone, no record is read.
   */
  countsPer(
    collection: CollectionName,
    field: string,
    values: readonly string[],
    filters: Filters = {},
  ): Map<string, number> {
    const { where, parameters } = matching(filters);
    // A count per value (correlated), not one GROUP BY: SQLite counts each in the index only,
    // where a GROUP BY on the JSON expression reads every matching record.
    const sql =
      `SELECT given.value AS value, (SELECT count(*) FROM ${collection} ` +
      `WHERE ${column(checkedField(field))} = given.value AND ${where}) AS n ` +
      'FROM json_each(?) AS given';
    const rows = this.statement(sql).all(...parameters, JSON.stringify(values)) as {
      value: string;
      n: number;
    }[];
    return new Map(rows.map((row) => [row.value, row.n]));
  }

  /** Calls the listener with every transaction once it is durable (the delivery outbox). */
  onCommit(listener: (changes: Change[]) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Writes the changes now (later reads see them) and resolves once they are committed. Rejects,
   * keeping nothing of them, if a record is invalid (with verifyRecords), a write fails, or the
   * commit of their batch fails (a full disk, an I/O error): then nothing of the batch is kept.
   */
  commit(changes: Change[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    try {
      if (this.options.verifyRecords) {
        for (const change of changes) {
          if (change.op === 'put') assertValid(ENTITY_SCHEMA[change.c], change.r);
          if (change.op === 'reset') verifyAll(change.data);
        }
      }
      const batch = this.openBatch();
      this.db.exec('SAVEPOINT change');
      try {
        this.apply(changes);
        this.db.exec('RELEASE change');
      } catch (error) {
        this.undoSavepoint();
        throw error;
      }
      return new Promise((done, failed) => batch.push({ changes, done, failed }));
    } catch (error) {
      // node:sqlite's errors as they are (they carry the code persist() reads). isNativeError,
      // not instanceof: under jest they come from another realm than this module's Error.
      return Promise.reject(types.isNativeError(error) ? error : new Error(String(error)));
    }
  }

  /** Puts back the seed the database was created from (or another one), durably. */
  reset(seed: Collections = this.seed): Promise<void> {
    return this.commit([{ op: 'reset', data: structuredClone(seed) }]);
  }

  /**
   * Stores what background work builds from the current state: `build` is called, its changes
   * committed, and if they cannot be stored (a full disk, an I/O error, a read-only file), `build`
   * is called again from the state of then at the next retry (every `retryEveryMs`, all waiting
   * work in one batch), until they are stored. `failed` hears the first such failure. Resolves
   * with the changes stored (none if `build` had none); null if the store closes or `signal`
   * aborts first. Any other error (an invalid record) rejects, as commit() would.
   */
  async persist(
    build: () => Change[],
    { signal, failed }: { signal?: AbortSignal; failed?: (error: Error) => void } = {},
  ): Promise<Change[] | null> {
    for (let attempt = 0; !this.closed && !signal?.aborted; attempt++) {
      const changes = build();
      if (changes.length === 0) return changes;
      try {
        await this.commit(changes);
        return changes;
      } catch (error) {
        if (!isStorageFailure(error)) throw error;
        if (attempt === 0) failed?.(error as Error);
        await this.nextRetry(signal);
      }
    }
    return null;
  }

  /**
   * Deletes one batch of expired records (at most EXPIRY_BATCH per collection, oldest first,
   * through the created_at index) in one commit; resolves with how many it deleted.
   */
  async expireBatch(): Promise<number> {
    const deleted = await this.persist(() => this.expiredBatch());
    return deleted?.length ?? 0;
  }

  /** Deletes every expired record, a batch at a time, letting requests in between batches. */
  async expire(): Promise<number> {
    let batches = 0;
    while ((await this.expireBatch()) > 0) batches++;
    return batches;
  }

  /** Commits what is pending and closes the database; background work still waiting gives up. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    this.finishBatch();
    this.closed = true;
    this.wakeRetries();
    this.db.close();
    if (this.options.file) recordCleanClose(this.options.file);
  }

  /** The whole state, as collections (seed files, json-server, export). */
  snapshot(names: readonly CollectionName[] = COLLECTION_NAMES): Partial<Collections> {
    return Object.fromEntries(names.map((name) => [name, this.all(name)]));
  }

  /** The deletions of one expiry batch. */
  private expiredBatch(): Change[] {
    const changes: Change[] = [];
    for (const [name, ms] of Object.entries(this.options.expireAfterMs ?? {})) {
      const collection = name as CollectionName;
      const age = column('created_at');
      const sql = `SELECT id FROM ${collection} WHERE ${age} < ? ORDER BY ${age} LIMIT ${EXPIRY_BATCH}`;
      const cutoff = new Date(Date.now() - ms).toISOString();
      for (const { id } of this.statement(sql).all(cutoff) as { id: string }[]) {
        changes.push(deleteRecord(collection, id));
      }
    }
    return changes;
  }

  /** Resolves at the next retry of background work (or once the store closes or signal aborts). */
  private nextRetry(signal: AbortSignal | undefined): Promise<void> {
    if (this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.retryWaiters.delete(wake);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      this.retryWaiters.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
      if (!this.retryTimer) {
        this.retryTimer = setTimeout(
          () => this.wakeRetries(),
          this.options.retryEveryMs ?? RETRY_EVERY_MS,
        );
        this.retryTimer.unref();
      }
    });
  }

  private wakeRetries(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const wake of [...this.retryWaiters]) wake();
  }

  private openBatch(): Pending[] {
    if (this.batch) return this.batch;
    this.db.exec('BEGIN IMMEDIATE');
    const batch: Pending[] = [];
    this.batch = batch;
    setImmediate(() => {
      if (this.batch === batch) this.finishBatch();
    });
    return batch;
  }

  /** COMMITs the open batch and answers its callers. */
  private finishBatch(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = null;
    try {
      this.db.exec('COMMIT');
      // Committed: the collections it wrote may be cached again.
      this.dirty.clear();
    } catch (error) {
      this.abortBatch(batch, error as Error);
      return;
    }
    for (const pending of batch) pending.done();
    for (const pending of batch) for (const listener of this.listeners) listener(pending.changes);
  }

  /** Rolls the whole batch back (SQLite may have done so already) and fails its callers. */
  private abortBatch(batch: Pending[], error: Error): void {
    // Its collections' caches were emptied as it wrote them; the rest is committed state.
    this.dirty.clear();
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // No transaction left: SQLite rolled it back itself.
    }
    if (this.batch === batch) this.batch = null;
    for (const pending of batch) pending.failed(error);
  }

  /** Undoes a failed commit's own writes; if even that fails, the whole batch goes. */
  private undoSavepoint(): void {
    try {
      this.db.exec('ROLLBACK TO change');
      this.db.exec('RELEASE change');
    } catch (error) {
      if (this.batch) this.abortBatch(this.batch, error as Error);
    }
  }

  private apply(changes: Change[]): void {
    for (const change of changes) {
      if (change.op === 'reset') {
        for (const name of COLLECTION_NAMES) {
          this.written(name);
          this.run(`DELETE FROM ${name}`);
        }
        this.load(change.data);
      } else if (change.op === 'put') {
        this.put(change.c, change.r);
      } else {
        this.written(change.c);
        this.run(`DELETE FROM ${change.c} WHERE id = ?`, change.id);
      }
    }
  }

  /** Before a write: the collection's cached reads go, and none is kept until the commit. */
  private written(collection: CollectionName): void {
    this.readCache.delete(collection);
    if (this.batch) this.dirty.add(collection);
  }

  private put(collection: CollectionName, record: RecordOf<CollectionName>): void {
    this.written(collection);
    this.run(putSql(collection), ...row(collection, record));
  }

  /** Stores a whole seed (reset has emptied every collection and its cache first). */
  private load(data: Partial<Collections>): void {
    loadRecords((sql) => this.statement(sql), data);
  }

  private lookup(
    collection: CollectionName,
    index: string,
    given: number,
    newestFirst = false,
  ): { where: string; order: string } {
    const spec = indexSpec(collection, index, given);
    const where = spec.columns
      .slice(0, given)
      .map((c) => `${column(c)} = ?`)
      .join(' AND ');
    const direction = newestFirst ? ' DESC' : '';
    const order = [...spec.columns.slice(given).map(column), 'rowid']
      .map((expression) => `${expression}${direction}`)
      .join(', ');
    return { where: where || '1', order };
  }

  /** The parameters of a lookup: its values as SQL values, folded for a folded column. */
  private lookupValues(
    collection: CollectionName,
    index: string,
    values: readonly (string | boolean | null)[],
  ): (string | number | null)[] {
    const { columns } = indexSpec(collection, index, values.length);
    return values.map((value, at) =>
      typeof columns[at] !== 'string' && typeof value === 'string' ? fold(value) : sqlValue(value),
    );
  }

  /** A read's records (frozen), from the collection's cache when it holds them. */
  private read<C extends CollectionName>(
    collection: C,
    sql: string,
    key: string,
    parameters: (string | number | null)[],
  ): readonly RecordOf<C>[] {
    let reads = this.readCache.get(collection);
    let answers = reads?.get(sql);
    const cached = answers?.get(key);
    if (cached) return cached;
    const rows = this.statement(sql).all(...parameters) as { doc: string }[];
    const records = rows.map((row) => deepFreeze(JSON.parse(row.doc) as RecordOf<C>));
    // A collection the open batch wrote may hold rows a rollback will take back: never kept.
    if (!this.dirty.has(collection) && records.length <= READ_CACHE_ROWS) {
      if (!reads) this.readCache.set(collection, (reads = new Map<string, Map<string, Rows>>()));
      if (!answers) reads.set(sql, (answers = new Map<string, Rows>()));
      if (answers.size >= READ_CACHE_LIMIT) answers.clear();
      answers.set(key, records);
    }
    return records;
  }

  private run(sql: string, ...parameters: (string | number | null)[]): void {
    this.statement(sql).run(...parameters);
  }

  /** Statements are prepared once per SQL text and kept. */
  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/**
 * The SQL that stores a record whole, as a new one or over the one with its id, with its folded
 * columns; its parameters are row(collection, record).
 */
function putSql(collection: CollectionName): string {
  const columns = ['id', 'doc', ...FOLDED_FIELDS[collection].map(foldedColumn)];
  const updates = columns.slice(1).map((name) => `${name} = excluded.${name}`);
  return (
    `INSERT INTO ${collection} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ` +
    `ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}`
  );
}

/** A record's row, as putSql's parameters: its id, the record as JSON, its folded fields. */
function row(collection: CollectionName, record: RecordOf<CollectionName>): (string | null)[] {
  const fields = record as unknown as Record<string, unknown>;
  return [
    record.id,
    JSON.stringify(record),
    ...FOLDED_FIELDS[collection].map((field) => {
      const value = fields[field];
      return typeof value === 'string' ? fold(value) : null;
    }),
  ];
}

/** A collection's index, checked to have at least `given` columns. */
function indexSpec(collection: CollectionName, index: string, given: number): IndexSpec {
  const spec = (INDEXES[collection] as Record<string, IndexSpec>)[index];
  if (!spec || given > spec.columns.length) {
    throw new Error(`${collection} has no index ${index} of ${given} columns`);
  }
  return spec;
}

/** Stores every record of `data`, one prepared statement per collection. */
function loadRecords(statement: (sql: string) => StatementSync, data: Partial<Collections>): void {
  for (const name of COLLECTION_NAMES) {
    const records = data[name] ?? [];
    if (records.length === 0) continue;
    const put = statement(putSql(name));
    for (const record of records) put.run(...row(name, record));
  }
}

/** A new database's contents: the seed it remembers (for reset) and its records. */
function writeSeed(db: DatabaseSync, seed: Collections): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(SEED_KEY, JSON.stringify(seed));
  loadRecords((sql) => db.prepare(sql), seed);
}

function verifyAll(data: Partial<Collections>): void {
  for (const name of COLLECTION_NAMES) {
    for (const record of data[name] ?? []) assertValid(ENTITY_SCHEMA[name], record);
  }
}

/** SQLite's own failures (full, I/O, read-only, locked): the storage, not what was stored. */
function isStorageFailure(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ERR_SQLITE_ERROR';
}

/** Freezes a parsed JSON value and everything in it. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Equality filters on record fields; an undefined one matches every record. */
export type Filters = Readonly<Record<string, string | boolean | null | undefined>>;

/** The WHERE clause of some filters (`1` for none) and its parameters. */
function matching(filters: Filters): { where: string; parameters: (string | number | null)[] } {
  const given = Object.entries(filters).filter(([, value]) => value !== undefined) as [
    string,
    string | boolean | null,
  ][];
  return {
    where: given.map(([field]) => `${column(checkedField(field))} = ?`).join(' AND ') || '1',
    parameters: given.map(([, value]) => sqlValue(value)),
  };
}

/** A field name goes into the SQL text: only a plain name is one (never a caller's input). */
function checkedField(field: string): string {
  if (!/^[a-z_]+$/.test(field)) throw new Error(`not a field name: ${field}`);
  return field;
}

/** JSON booleans are 1 and 0 in SQL. */
function sqlValue(value: string | boolean | null): string | number | null {
  return typeof value === 'boolean' ? Number(value) : value;
}
