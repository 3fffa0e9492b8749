/**
 * Opening the store's SQLite database: the path, the exclusive lock, the start-up checks (ours,
 * not newer, not damaged), the schema migrations (by `PRAGMA user_version`) and, for a new
 * database, its seed. Everything a start writes is one transaction: a database is created with
 * its seed or not at all, and a refused file is left as it was. Every refusal names the file and
 * the real cause.
 */
import {
  accessSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  realpathSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type * as Sqlite from 'node:sqlite';
import type { DatabaseSync } from 'node:sqlite';
import {
  COLLECTION_NAMES,
  FOLDED_FIELDS,
  INDEXES,
  column,
  fold,
  foldedColumn,
  type CollectionName,
  type IndexSpec,
} from './collections';

/** `PRAGMA application_id` of a chatting-mock database: "ChMk". */
export const APPLICATION_ID = 0x43684d6b;

/**
 * The `meta` row that holds the seed a database was created from. It is written in the same
 * transaction as the tables and the seed's records, so a database without it was never created
 * (a start that failed before it committed), whatever else the file holds.
 */
export const SEED_KEY = 'seed';

/**
 * Schema migrations: entry n takes a database from version n to n + 1. Only ever appended.
 * Indexes are not versioned: the declared ones are created at every start if missing, so a
 * migration that changes an index's definition drops the old one (by its unchanged name).
 */
const MIGRATIONS: ((db: DatabaseSync) => void)[] = [
  (db) => {
    db.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    for (const name of COLLECTION_NAMES) {
      db.exec(`CREATE TABLE ${name} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)`);
    }
  },
  // Emails compared with JavaScript's case folding, not SQLite's ASCII-only lower(): the
  // contacts' folded email becomes a column the store writes, filled here for the contacts
  // already stored; the index on lower() goes (the declared one is created after the
  // migrations).
  (db) => {
    db.exec('DROP INDEX IF EXISTS contacts_by_email');
    db.exec('ALTER TABLE contacts ADD COLUMN email_folded TEXT');
    refoldEmails(db);
  },
  // Emails compared as the mailbox they name (NFC, a domain's ASCII form), not only by case.
  refoldEmails,
];

/** Writes every stored contact's folded email again, with today's fold. */
function refoldEmails(db: DatabaseSync): void {
  const update = db.prepare('UPDATE contacts SET email_folded = ? WHERE id = ?');
  const rows = db
    .prepare("SELECT id, json_extract(doc, '$.email') AS email FROM contacts")
    .all() as { id: string; email: unknown }[];
  for (const { id, email } of rows) {
    if (typeof email === 'string') update.run(fold(email), id);
  }
}

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The tables every version of the schema has, with the columns every version has. */
const FIRST_TABLES: Record<string, readonly string[]> = {
  meta: ['key', 'value'],
  ...Object.fromEntries(COLLECTION_NAMES.map((name) => [name, ['id', 'doc']])),
};

/** The tables of this version, with the columns the store reads and writes. */
const TABLES: Record<string, readonly string[]> = {
  ...FIRST_TABLES,
  ...Object.fromEntries(
    COLLECTION_NAMES.map((name) => [name, ['id', 'doc', ...FOLDED_FIELDS[name].map(foldedColumn)]]),
  ),
};

/** A database the mock refuses to open; the message names the file and what is wrong. */
export class DatabaseRefused extends Error {}

export interface OpenedDatabase {
  db: DatabaseSync;
  /** True when this start created the database (its tables and its seed). */
  created: boolean;
}

/**
 * Opens the file (or an in-memory database), checked and migrated. A database without its seed
 * (a new file, or one whose first start failed) is created by `create`, which writes the seed
 * and its SEED_KEY row, in the start's one transaction; without `create` it is refused.
 */
export function openDatabase(
  file: string | undefined,
  create?: (db: DatabaseSync) => void,
): OpenedDatabase {
  const name = file ?? ':memory:';
  if (file) checkPath(file);
  // Read, and removed, before SQLite opens the file: from here on it may change.
  const asLeft = file ? takeCleanClose(file) : false;
  const { DatabaseSync } = loadSqlite();
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(name, { timeout: 0 });
  } catch (error) {
    throw refusal(name, error);
  }
  try {
    // Before the first read: the lock taken below is then kept until close.
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    // Every commit, the start's included, is on disk when it returns.
    if (file) db.exec('PRAGMA synchronous = FULL');
    const created = start(db, name, create, asLeft);
    // After the start's transaction, which ran in the file's own journal mode (a rollback
    // journal for a new file): a refused file has not been switched.
    if (file) db.exec('PRAGMA journal_mode = WAL');
    return { db, created };
  } catch (error) {
    db.close();
    throw refusal(name, error);
  }
}

/**
 * The start's one transaction. BEGIN EXCLUSIVE comes first, before anything is read: of several
 * processes starting on one file, the first takes the lock and the others are refused at once
 * (a read first would let each hold a shared lock that keeps the others from writing).
 */
function start(
  db: DatabaseSync,
  name: string,
  create: ((db: DatabaseSync) => void) | undefined,
  asLeft: boolean,
): boolean {
  db.exec('BEGIN EXCLUSIVE');
  try {
    const { application, version, tables } = readHeader(db);
    // Migration 0 creates the tables and sets the application id and version 1 together: a
    // file with tables at version 0 never was ours.
    if (tables > 0 && (application !== APPLICATION_ID || version === 0)) {
      const whose =
        application === APPLICATION_ID
          ? "tables but no schema version, though it carries chatting-mock's application id"
          : 'a SQLite file of another application';
      throw new DatabaseRefused(
        `${name} is not a chatting-mock database (${whose}); nothing was changed. Pick another --db.`,
      );
    }
    if (version > SCHEMA_VERSION) {
      throw new DatabaseRefused(
        `${name} has schema version ${version}, newer than this chatting-mock knows ` +
          `(${SCHEMA_VERSION}); nothing was changed. Upgrade chatting-mock, or pick another --db.`,
      );
    }
    if (!asLeft) checkIntegrity(db, name);
    // Before a migration changes them: a file at version 1 or later without them is not ours.
    if (version > 0) checkTables(db, name, FIRST_TABLES);
    for (let at = version; at < SCHEMA_VERSION; at++) MIGRATIONS[at](db);
    if (version < SCHEMA_VERSION) {
      if (version === 0) db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
      db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    }
    checkTables(db, name, TABLES);
    createIndexes(db);
    const created = !hasSeed(db);
    if (created) {
      if (!create) {
        throw new DatabaseRefused(
          `${name} was never completely created (a start that failed left it); start ` +
            'chatting-mock on it once to create it.',
        );
      }
      create(db);
      if (!hasSeed(db)) throw new Error('a new database was created without its seed row');
    }
    db.exec('COMMIT');
    return created;
  } catch (error) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // SQLite already rolled it back (it does so itself on a full disk or an I/O error): the
      // error to report is the one that got us here, not this one.
    }
    throw error;
  }
}

function readHeader(db: DatabaseSync): { application: number; version: number; tables: number } {
  const pragma = (sql: string) => Object.values(db.prepare(sql).get() ?? {})[0] as number;
  return {
    application: pragma('PRAGMA application_id'),
    version: pragma('PRAGMA user_version'),
    tables: pragma("SELECT count(*) FROM sqlite_schema WHERE type = 'table'"),
  };
}

/**
 * PRAGMA quick_check: every page of every table and index is readable and well formed. Without
 * it, a damaged file opened, took writes and answered 500 wherever a read met a damaged page.
 * It reads the whole file (about 0.2 s per 100 MB), so a file exactly as a clean close left it
 * is not checked again (takeCleanClose).
 */
function checkIntegrity(db: DatabaseSync, name: string): void {
  const problems = (db.prepare('PRAGMA quick_check(5)').all() as Record<string, string>[])
    .map((row) => Object.values(row)[0])
    .filter((line) => line !== 'ok');
  if (problems.length > 0) throw damaged(name, problems.join('; '));
}

/** A file with our application id but without our tables is someone else's, or damaged. */
function checkTables(
  db: DatabaseSync,
  name: string,
  tables: Record<string, readonly string[]>,
): void {
  const missing: string[] = [];
  for (const [table, columns] of Object.entries(tables)) {
    const present = new Set(
      (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name),
    );
    const lacking = columns.filter((c) => !present.has(c));
    if (present.size === 0) missing.push(table);
    else if (lacking.length > 0) missing.push(`${table}.${lacking.join(', ')}`);
  }
  if (missing.length > 0) {
    throw new DatabaseRefused(
      `${name} carries chatting-mock's application id but lacks its tables ` +
        `(${missing.join('; ')}): it was not made by chatting-mock, or has been changed by ` +
        'hand; nothing was changed. Pick another --db.',
    );
  }
}

function hasSeed(db: DatabaseSync): boolean {
  return db.prepare('SELECT 1 FROM meta WHERE key = ?').get(SEED_KEY) !== undefined;
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
 * What SQLite would report vaguely ("unable to open database file", "disk I/O error"), found
 * out from the file system first: a folder, a path under a file, a file or folder that cannot
 * be written (SQLite writes its journal beside the database).
 */
function checkPath(file: string): void {
  const folder = path.dirname(file);
  let existing = folder;
  while (!existsSync(existing) && path.dirname(existing) !== existing) {
    existing = path.dirname(existing);
  }
  if (!statSync(existing).isDirectory()) {
    throw new DatabaseRefused(`${file} cannot be a database: ${existing} is a file, not a folder.`);
  }
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new DatabaseRefused(`${file}: its folder cannot be made (${(error as Error).message}).`);
  }
  if (lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() && !existsSync(file)) {
    // A link to a file not made yet is followed (SQLite makes the file); of one that leads
    // nowhere, SQLite says only "unable to open database file".
    const target = path.resolve(folder, readlinkSync(file));
    let cause: string | null = null;
    try {
      realpathSync(path.dirname(target));
    } catch (error) {
      const { code } = error as NodeJS.ErrnoException;
      cause =
        code === 'ELOOP'
          ? 'a folder reached through links that loop'
          : `a folder that does not exist (${path.dirname(target)})`;
    }
    if (lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink()) {
      cause ??= 'a chain of links that loops or leads nowhere';
    }
    if (cause) {
      throw new DatabaseRefused(
        `${file} is a symbolic link to ${target}: ${cause}. Give --db the file itself.`,
      );
    }
  }
  if (existsSync(file)) {
    const stat = statSync(file);
    if (stat.isDirectory()) {
      throw new DatabaseRefused(
        `${file} is a folder, not a database file; give --db a file's path ` +
          `(such as ${path.join(file, 'mock.sqlite')}).`,
      );
    }
    if (!stat.isFile()) throw new DatabaseRefused(`${file} is not a regular file.`);
    writable(file, `${file} cannot be written`);
  }
  writable(folder, `${file}: its folder cannot be written, and SQLite writes its journal there`);
}

function writable(target: string, what: string): void {
  try {
    accessSync(target, constants.R_OK | constants.W_OK);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    const cause = code === 'EROFS' ? 'a read-only file system' : (code ?? String(error));
    throw new DatabaseRefused(
      `${what} (${cause}): the mock stores every change. Pick another --db, or --memory.`,
    );
  }
}

function damaged(name: string, detail: string): DatabaseRefused {
  return new DatabaseRefused(
    `${name} is damaged (${detail}); nothing was changed. Restore it from a copy, or remove ` +
      `it (rm ${name}*) to start again from the seed.`,
  );
}

/** A failed open as a refusal that names the file and the real cause. */
function refusal(name: string, error: unknown): DatabaseRefused {
  if (error instanceof DatabaseRefused) return error;
  const message = (error as Error).message;
  if (/locked|busy/i.test(message)) {
    return new DatabaseRefused(
      `${name} is in use by another chatting-mock process (${message}). ` +
        'Stop that one, or give this one another --db (or --memory).',
    );
  }
  if (/not a database/i.test(message)) {
    return new DatabaseRefused(
      `${name} is not a chatting-mock database (not a SQLite file: ${message}); ` +
        'nothing was changed. Pick another --db.',
    );
  }
  if (/malformed|corrupt/i.test(message)) return damaged(name, message);
  return new DatabaseRefused(`${name} could not be opened: ${message}.`);
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

/**
 * Beside the database, what its last clean close left: the file's identity, size and times, and
 * its write-ahead log's. A file that matches has not been written since, by anyone (any write
 * moves its ctime, which no one but the clock can set back), so the integrity check it passed or
 * the writes that made it still hold. Anything else, a crash included, means a full check.
 */
const CLEAN_CLOSE_SUFFIX = '-closed';

function fingerprint(file: string): string {
  const of = (target: string) => {
    if (!existsSync(target)) return 'absent';
    const stat = statSync(target, { bigint: true });
    return [stat.dev, stat.ino, stat.size, stat.mtimeNs, stat.ctimeNs].join(':');
  };
  return `${of(file)} ${of(`${file}-wal`)}\n`;
}

/** After the database was closed: records the file as it is now. A failure only costs a check. */
export function recordCleanClose(file: string): void {
  try {
    writeFileSync(`${file}${CLEAN_CLOSE_SUFFIX}`, fingerprint(file));
  } catch {
    // No room or no right to write it: the next start checks the file, as after a crash.
  }
}

/** Whether the file is as its last clean close left it; the record is used up either way. */
function takeCleanClose(file: string): boolean {
  const record = `${file}${CLEAN_CLOSE_SUFFIX}`;
  if (!existsSync(record)) return false;
  try {
    return readFileSync(record, 'utf8') === fingerprint(file);
  } catch {
    return false;
  } finally {
    rmSync(record, { force: true });
  }
}
