/**
 * Opening the store's SQLite database: the exclusive lock, the start-up checks, WAL with full
 * sync, and the schema migrations (by `PRAGMA user_version`). Every refusal names the file and
 * what is wrong, and happens before anything is written to it.
 */
import type * as Sqlite from 'node:sqlite';
import type { DatabaseSync } from 'node:sqlite';
import {
  COLLECTION_NAMES,
  INDEXES,
  column,
  type CollectionName,
  type IndexSpec,
} from './collections';

/** `PRAGMA application_id` of a chatting-mock database: "ChMk". */
export const APPLICATION_ID = 0x43684d6b;

/**
 * Schema migrations: entry n takes a database from version n to n + 1. Only ever appended.
 * Indexes are not versioned: the declared ones are created at every start if missing.
 */
const MIGRATIONS: ((db: DatabaseSync) => void)[] = [
  (db) => {
    db.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    for (const name of COLLECTION_NAMES) {
      db.exec(`CREATE TABLE ${name} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)`);
    }
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** A database the mock refuses to open; the message names the file. */
export class DatabaseRefused extends Error {}

/** Opens the file (or an in-memory database), checked and migrated. */
export function openDatabase(file: string | undefined): DatabaseSync {
  const { DatabaseSync } = loadSqlite();
  const name = file ?? ':memory:';
  const db = new DatabaseSync(name, { timeout: 0 });
  try {
    // First, before any read: the lock is then taken at the first read and kept until close.
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    const { application, version, tables } = readHeader(db, name);
    if (tables > 0 && application !== APPLICATION_ID) {
      throw new DatabaseRefused(
        `${name} is not a chatting-mock database (a SQLite file of another application); ` +
          'nothing was changed. Pick another --db.',
      );
    }
    if (version > SCHEMA_VERSION) {
      throw new DatabaseRefused(
        `${name} has schema version ${version}, newer than this chatting-mock knows ` +
          `(${SCHEMA_VERSION}); nothing was changed. Upgrade chatting-mock, or pick another --db.`,
      );
    }
    if (file) {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
    }
    migrate(db, version);
    createIndexes(db);
    // Takes the exclusive lock now (kept until close), whether or not anything was migrated.
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function readHeader(
  db: DatabaseSync,
  name: string,
): { application: number; version: number; tables: number } {
  try {
    const pragma = (sql: string) => Object.values(db.prepare(sql).get() ?? {})[0] as number;
    return {
      application: pragma('PRAGMA application_id'),
      version: pragma('PRAGMA user_version'),
      tables: pragma("SELECT count(*) FROM sqlite_schema WHERE type = 'table'"),
    };
  } catch (error) {
    const message = (error as Error).message;
    if (/locked|busy/i.test(message)) {
      throw new DatabaseRefused(
        `${name} is in use by another chatting-mock process (${message}). ` +
          'Stop that one, or give this one another --db (or --memory).',
      );
    }
    if (/not a database/i.test(message)) {
      throw new DatabaseRefused(
        `${name} is not a chatting-mock database (not a SQLite file: ${message}); ` +
          'nothing was changed. Pick another --db.',
      );
    }
    throw new DatabaseRefused(`${name}: ${message}`);
  }
}

function migrate(db: DatabaseSync, from: number): void {
  for (let version = from; version < SCHEMA_VERSION; version++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      MIGRATIONS[version](db);
      if (version === 0) db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}

function createIndexes(db: DatabaseSync): void {
  for (const [collection, indexes] of Object.entries(INDEXES)) {
    for (const [name, spec] of Object.entries(indexes as Record<string, IndexSpec>)) {
      const columns = spec.columns.map(column).join(', ');
      db.exec(
        `CREATE INDEX IF NOT EXISTS ${collection}_${name} ON ${collection as CollectionName} (${columns})`,
      );
    }
  }
}

/**
 * node:sqlite, without the ExperimentalWarning Node 22 prints when it is loaded: only that one
 * warning is silenced, and only while it loads.
 */
export function loadSqlite(): typeof Sqlite {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was, below
  const original = process.emitWarning;
  const emitWarning = original.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (!text.startsWith('SQLite is an experimental feature')) emitWarning(warning, ...rest);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded here, under the filter above
    return require('node:sqlite') as typeof Sqlite;
  } finally {
    process.emitWarning = original;
  }
}
