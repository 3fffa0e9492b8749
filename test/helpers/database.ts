/**
 * Making the store's writes fail for real, in its own SQLite connection: read-only (every write
 * refused) or capped at its current size (PRAGMA max_page_count: a write that needs a new page
 * fails with SQLITE_FULL, as on a full disk).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Store } from '../../mock-server/store/store';

function connection(store: Store): DatabaseSync {
  // The connection is the store's own business; only tests reach into it.
  return (store as unknown as { db: DatabaseSync }).db;
}

/** Runs `during` while the database refuses every write, then lets writes through again. */
export async function withWritesRefused(store: Store, during: () => Promise<void>): Promise<void> {
  connection(store).exec('PRAGMA query_only = 1');
  try {
    await during();
  } finally {
    connection(store).exec('PRAGMA query_only = 0');
  }
}

/** Caps the database at the pages it has now; returns what lifts the cap. */
export function capPages(store: Store): () => void {
  const db = connection(store);
  const { page_count: pages } = db.prepare('PRAGMA page_count').get() as { page_count: number };
  db.exec(`PRAGMA max_page_count = ${pages}`);
  return () => void db.exec('PRAGMA max_page_count = 4294967294');
}
