import assert from 'node:assert/strict';
import type { DatabaseSync } from 'node:sqlite';
import type { Contact, IdempotencyRecord } from '../../schemas/generated';
import { buildContact } from '../../mock-server/domain/records';
import { demoSeed } from '../../mock-server/store/seed';
import {
  deleteRecord,
  storedRecords,
  storeRecord,
  type Change,
} from '../../mock-server/store/collections';
import { contactByEmail } from '../../mock-server/store/lookups';
import { EXPIRY_BATCH, Store } from '../../mock-server/store/store';
import { capPages, withWritesRefused } from '../helpers/database';
import { until } from '../helpers/receiver';
import { temporaryDirectoryForEachTest } from '../helpers/mock';

/**
 * Records the SQL of every statement the store prepares from now on; `prepare` is the
 * connection's own, for EXPLAIN QUERY PLAN of what was recorded.
 */
function recordQueries(store: Store): { queries: string[]; prepare: DatabaseSync['prepare'] } {
  const db = (store as unknown as { db: DatabaseSync }).db;
  const queries: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = (sql: string) => {
    queries.push(sql);
    return prepare(sql);
  };
  return { queries, prepare };
}

function contact(i: number): Contact {
  return buildContact(
    {
      id: `contact_t${i}`,
      workspace_id: 'owner_123',
      site_id: 'site_acme',
      email: `t${i}@example.com`,
      name: `T ${i}`,
    },
    '2026-04-09T00:00:00.000Z',
  );
}

function idempotencyRecord(i: number, createdAt: string): IdempotencyRecord {
  return {
    id: `idem_${i}`,
    workspace_id: 'owner_123',
    method: 'POST',
    path: '/api/zapier/contacts',
    key: `k${i}`,
    request_hash: 'h',
    status: 201,
    body: '{"ok":true}',
    created_at: createdAt,
  };
}

describe('store', () => {
  const inDirectory = temporaryDirectoryForEachTest();
  let file: string;
  beforeEach(() => (file = inDirectory('mock.sqlite')));

  test('a new database starts from the seed', async () => {
    const store = Store.open({ file, seed: demoSeed(), verifyRecords: true });
    assert.equal(store.all('workspaces').length, 3);
    assert.deepEqual(store.seed.contacts, demoSeed().contacts);
    await store.close();
  });

  test('committed changes are there after a reopen', async () => {
    const store = Store.open({ file, seed: demoSeed(), verifyRecords: true });
    await store.commit([storeRecord('contacts', contact(1))]);
    await store.commit([storeRecord('contacts', { ...contact(1), name: 'Renamed' })]);
    await store.commit([storeRecord('contacts', contact(2))]);
    await store.commit([deleteRecord('contacts', 'contact_t2')]);
    await store.close();
    const reopened = Store.open({ file, seed: demoSeed(), verifyRecords: true });
    assert.equal(reopened.get('contacts', 'contact_t1')?.name, 'Renamed');
    assert.equal(reopened.get('contacts', 'contact_t2'), undefined);
    assert.equal(contactByEmail(reopened, 'owner_123', 'T1@EXAMPLE.COM')?.id, 'contact_t1');
    await reopened.close();
  });

  test('the commits of one tick go in one transaction, each answered after it', async () => {
    const store = Store.open({ file, seed: demoSeed() });
    const commits: string[] = [];
    store.onCommit((changes) =>
      commits.push(
        storedRecords(changes, 'contacts')
          .map((c) => c.id)
          .join(),
      ),
    );
    const first = store.commit([storeRecord('contacts', contact(1))]);
    const second = store.commit([storeRecord('contacts', contact(2))]);
    // Written, so visible to the same tick's reads, but not yet acknowledged.
    assert.ok(store.get('contacts', 'contact_t2'));
    assert.deepEqual(commits, []);
    await Promise.all([first, second]);
    assert.deepEqual(commits, ['contact_t1', 'contact_t2']);
    await store.close();
  });

  test('a commit that fails keeps nothing of it; the others of its tick stay', async () => {
    const store = Store.open({ file, seed: demoSeed(), verifyRecords: true });
    const before = store.get('contacts', 'contact_123');
    const good = store.commit([storeRecord('contacts', contact(1))]);
    const bad = store.commit([
      storeRecord('contacts', contact(2)),
      storeRecord('contacts', { ...contact(3), email: 'not-an-email' }),
    ]);
    await assert.rejects(bad);
    await good;
    assert.ok(store.get('contacts', 'contact_t1'));
    assert.equal(store.get('contacts', 'contact_t2'), undefined);
    assert.deepEqual(store.get('contacts', 'contact_123'), before);
    await store.close();
  });

  test('reset puts back the seed, durably', async () => {
    const store = Store.open({ file, seed: demoSeed() });
    await store.commit([storeRecord('contacts', contact(1))]);
    await store.reset();
    assert.equal(store.get('contacts', 'contact_t1'), undefined);
    await store.close();
    const reopened = Store.open({ file, seed: { ...demoSeed(), contacts: [] } });
    assert.equal(reopened.get('contacts', 'contact_t1'), undefined);
    assert.ok(reopened.get('contacts', 'contact_123'), 'the seed the database was made from');
    await reopened.close();
  });

  test('lookups read through the declared indexes, in index order', async () => {
    const store = Store.open({ seed: demoSeed() });
    const plan = (store as unknown as { db: DatabaseSync }).db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT doc FROM events WHERE json_extract(doc, '$.workspace_id') = ? " +
          "AND json_extract(doc, '$.event') = ? ORDER BY json_extract(doc, '$.created_at') DESC, rowid DESC LIMIT 3",
      )
      .all('owner_123', 'tag.added') as { detail: string }[];
    assert.match(plan.map((row) => row.detail).join('\n'), /USING INDEX events_by_kind/);
    const newest = store.find('events', 'by_kind', ['owner_123', 'contact.created'], {
      newestFirst: true,
    });
    assert.deepEqual(
      newest.map((event) => event.payload.data),
      demoSeed()
        .events.filter((e) => e.workspace_id === 'owner_123' && e.event === 'contact.created')
        .reverse()
        .map((event) => event.payload.data),
    );
    await store.close();
  });

  test('a contact is found by its email in any case, non-ASCII capitals included, through the index', async () => {
    const store = Store.open({ seed: demoSeed() });
    const { queries, prepare } = recordQueries(store);
    await store.commit([storeRecord('contacts', { ...contact(1), email: 'JOSÉ@Exämple.com' })]);
    queries.length = 0;
    for (const email of ['josé@exämple.com', 'JOSÉ@EXÄMPLE.COM', 'José@exÄmple.com']) {
      assert.equal(contactByEmail(store, 'owner_123', email)?.id, 'contact_t1', email);
    }
    assert.equal(contactByEmail(store, 'owner_456', 'josé@exämple.com'), undefined);
    assert.equal(contactByEmail(store, 'owner_123', 'jose@example.com'), undefined);
    assert.equal(store.count('contacts', 'by_email', ['owner_123', 'JOSÉ@EXÄMPLE.COM']), 1);
    const [lookup] = queries;
    const plan = prepare(`EXPLAIN QUERY PLAN ${lookup}`).all('owner_123', 'x', 1) as {
      detail: string;
    }[];
    assert.deepEqual(
      plan.map((row) => row.detail),
      ['SEARCH contacts USING INDEX contacts_by_email (<expr>=? AND email_folded=?)'],
    );
    await store.close();
  });

  test('a page reads matching records oldest or newest first, with the total', async () => {
    const store = Store.open({ seed: demoSeed() });
    await store.commit([1, 2, 3, 4, 5].map((i) => storeRecord('contacts', contact(i))));
    const acme = { workspace_id: 'owner_123' };
    const newest = store.page('contacts', acme, { limit: 2, offset: 1, newestFirst: true });
    assert.deepEqual(
      newest.items.map((c) => c.id),
      ['contact_t4', 'contact_t3'],
    );
    const acmeContacts = store.all('contacts').filter((c) => c.workspace_id === 'owner_123');
    assert.equal(newest.total, acmeContacts.length);
    const oldest = store.page('workspaces', {}, { limit: 2, offset: 0 });
    assert.deepEqual(
      oldest.items.map((w) => w.id),
      ['owner_123', 'owner_456'],
    );
    assert.equal(oldest.total, 3);
    assert.deepEqual(store.page('workspaces', {}, { limit: 2, offset: 3 }).items, []);
    assert.deepEqual(store.page('workspaces', { id: undefined }, { limit: 1, offset: 2 }).total, 3);
    await store.close();
  });

  test('counts per value include zeros and follow the filters', async () => {
    const store = Store.open({ seed: demoSeed() });
    await store.commit([1, 2].map((i) => storeRecord('contacts', contact(i))));
    const count = (workspace: string) =>
      store.all('contacts').filter((c) => c.workspace_id === workspace).length;
    assert.deepEqual(
      store.countsPer('contacts', 'workspace_id', ['owner_123', 'owner_789', 'nobody']),
      new Map([
        ['owner_123', count('owner_123')],
        ['owner_789', 0],
        ['nobody', 0],
      ]),
    );
    const conversation = store.all('conversations')[0];
    const open = store
      .all('conversations')
      .filter((c) => c.workspace_id === conversation.workspace_id && c.status === 'open').length;
    assert.equal(
      store
        .countsPer('conversations', 'workspace_id', [conversation.workspace_id], { status: 'open' })
        .get(conversation.workspace_id),
      open,
    );
    assert.throws(() => store.countsPer('contacts', "id') OR 1 --", []), /not a field name/);
    await store.close();
  });

  test('admin lists and counts read through an index: no record is read but those shown', async () => {
    const store = Store.open({ seed: demoSeed() });
    const { queries, prepare } = recordQueries(store);
    const plan = (sql: string) =>
      (
        prepare(`EXPLAIN QUERY PLAN ${sql}`).all(
          ...sql
            .split('?')
            .slice(1)
            .map(() => (sql.includes('json_each') ? '[]' : 'x')),
        ) as { detail: string }[]
      )
        .map((row) => row.detail)
        .join(' | ');
    const newest = { limit: 50, offset: 0, newestFirst: true };
    for (const filters of [
      { workspace_id: 'owner_123' },
      { subscription_id: 'wh_123' },
      { event: 'tag.added' },
      { status: 'failed' },
    ]) {
      queries.length = 0;
      store.page('deliveries', filters, newest);
      const [page, count] = queries.map(plan);
      assert.match(page, /^SEARCH deliveries USING INDEX \w+ \(<expr>=\?\)$/, 'no sort, no scan');
      assert.match(count, /^SEARCH deliveries USING COVERING INDEX/);
    }
    queries.length = 0;
    store.page('deliveries', {}, newest);
    assert.equal(
      plan(queries[0]),
      'SCAN deliveries',
      'newest first, in rowid order: stops at the limit',
    );
    for (const collection of ['contacts', 'conversations', 'deliveries'] as const) {
      queries.length = 0;
      store.countsPer(collection, 'workspace_id', ['owner_123']);
      assert.match(plan(queries[0]), new RegExp(`SEARCH ${collection} USING COVERING INDEX`));
    }
    queries.length = 0;
    store.countsPer('subscriptions', 'workspace_id', ['owner_123'], { active: true });
    assert.match(plan(queries[0]), /SEARCH subscriptions USING COVERING INDEX/);
    await store.close();
  });

  test('expiry deletes old records by age, in bounded batches', async () => {
    const store = Store.open({
      seed: demoSeed(),
      expireAfterMs: { idempotency_keys: 60_000 },
    });
    const old = new Date(Date.now() - 120_000).toISOString();
    const total = 100_000;
    const records = Array.from({ length: total }, (_, i) =>
      storeRecord('idempotency_keys', idempotencyRecord(i, old)),
    );
    await store.commit([
      ...records,
      storeRecord('idempotency_keys', idempotencyRecord(-1, new Date().toISOString())),
    ]);
    assert.equal(await store.expireBatch(), EXPIRY_BATCH, 'one batch deletes at most EXPIRY_BATCH');
    assert.equal(store.count('idempotency_keys', 'by_age', []), total + 1 - EXPIRY_BATCH);
    const batches = await store.expire();
    assert.equal(batches, total / EXPIRY_BATCH - 1);
    assert.deepEqual(
      store.all('idempotency_keys').map((r) => r.id),
      ['idem_-1'],
    );
    await store.close();
  });

  test('background work that cannot be stored is built again and stored once it can be', async () => {
    const store = Store.open({
      seed: demoSeed(),
      expireAfterMs: { idempotency_keys: 60_000 },
      retryEveryMs: 5,
    });
    const old = new Date(Date.now() - 120_000).toISOString();
    await store.commit(
      [1, 2, 3].map((i) => storeRecord('idempotency_keys', idempotencyRecord(i, old))),
    );
    const failures: string[] = [];
    let builds = 0;
    let saved: Promise<unknown> | undefined;
    let expired: Promise<number> | undefined;
    await withWritesRefused(store, async () => {
      saved = store.persist(
        () => {
          builds++;
          return [storeRecord('contacts', contact(builds))];
        },
        { failed: (error) => failures.push(error.message) },
      );
      expired = store.expire();
      await until(() => builds >= 3, 'two tries after the first');
    });
    assert.equal(failures.length, 1, 'the first failure is reported, not every try');
    assert.match(failures[0], /readonly/);
    // Built from the state of its last try, and stored once.
    const stored = (await saved) as Change[];
    assert.deepEqual(
      stored.map((change) => (change.op === 'put' ? change.r.id : '')),
      [`contact_t${builds}`],
    );
    assert.equal(store.get('contacts', 'contact_t1'), undefined);
    assert.equal(await expired, 1);
    assert.equal(store.count('idempotency_keys', 'by_age', []), 0);
    await store.close();
  });

  test('background work still waiting gives up when its signal aborts or the store closes', async () => {
    const store = Store.open({ seed: demoSeed(), retryEveryMs: 60_000 });
    const stop = new AbortController();
    let tries = 0;
    const build = () => {
      tries++;
      return [storeRecord('contacts', contact(1))];
    };
    let aborted: Promise<unknown> | undefined;
    let closing: Promise<unknown> | undefined;
    await withWritesRefused(store, async () => {
      aborted = store.persist(build, { signal: stop.signal });
      closing = store.persist(build);
      await until(() => tries === 2, 'both tried');
      stop.abort();
      assert.equal(await aborted, null);
    });
    await store.close();
    assert.equal(await closing, null);
    assert.equal(tries, 2, 'not tried again after giving up');
  });

  test('a full database (max_page_count) fails the write, keeps nothing, and recovers', async () => {
    const store = Store.open({ file, seed: demoSeed() });
    const release = capPages(store);
    let failure: Error | undefined;
    let i = 0;
    const acknowledged: string[] = [];
    // Contacts fill the pages there are; the one that needs a new page fails.
    while (!failure && i < 10_000) {
      const record = { ...contact(i++), name: 'x'.repeat(200) };
      await store.commit([storeRecord('contacts', record)]).then(
        () => acknowledged.push(record.id),
        (error: Error) => (failure = error),
      );
    }
    assert.match(String(failure), /full/i);
    assert.equal(store.get('contacts', `contact_t${i - 1}`), undefined);
    release();
    await store.commit([storeRecord('contacts', contact(i))]);
    await store.close();
    const reopened = Store.open({ file, seed: demoSeed() });
    for (const id of [...acknowledged, `contact_t${i}`])
      assert.ok(reopened.get('contacts', id), id);
    await reopened.close();
  });
});

describe('store read cache', () => {
  test('a read after a commit sees it, and a caller cannot change what the next read gets', async () => {
    const store = Store.open({ seed: demoSeed() });
    const byEmail = (): string[] =>
      store
        .find('contacts', 'by_email', ['owner_123', 't1@example.com'], { limit: 1 })
        .map((c) => c.id);
    assert.equal(store.get('contacts', 'contact_t1'), undefined);
    assert.deepEqual(byEmail(), []);
    assert.deepEqual(byEmail(), []);
    await store.commit([storeRecord('contacts', contact(1))]);
    assert.equal(store.get('contacts', 'contact_t1')?.name, 'T 1');
    assert.deepEqual(byEmail(), ['contact_t1']);
    const read = store.get('contacts', 'contact_t1');
    assert.ok(read);
    assert.throws(() => (read.name = 'changed by a caller'), TypeError);
    assert.throws(() => read.tags.push('changed'), TypeError);
    assert.equal(store.get('contacts', 'contact_t1')?.name, 'T 1');
    assert.deepEqual(store.get('contacts', 'contact_t1')?.tags, contact(1).tags);
    await store.close();
  });

  test('a write empties only its own collection, which is not cached again until the commit', async () => {
    const store = Store.open({ seed: demoSeed() });
    const key = store.get('api_keys', 'demo');
    assert.ok(key);
    const pending = store.commit([storeRecord('contacts', contact(1))]);
    // Another collection's cached record is the same object through the write…
    assert.equal(store.get('api_keys', 'demo'), key);
    // …while the written one is read afresh from the open batch, every time.
    const first = store.get('contacts', 'contact_t1');
    assert.ok(first);
    assert.notEqual(store.get('contacts', 'contact_t1'), first);
    await pending;
    const committed = store.get('contacts', 'contact_t1');
    assert.equal(store.get('contacts', 'contact_t1'), committed);
    await store.close();
  });

  test('what a rolled-back batch wrote is never served afterwards', async () => {
    const store = Store.open({ seed: demoSeed() });
    assert.equal(store.get('contacts', 'contact_t1'), undefined);
    const pending = store.commit([storeRecord('contacts', contact(1))]);
    // Inside the open batch the write is visible to reads…
    assert.equal(store.get('contacts', 'contact_t1')?.id, 'contact_t1');
    assert.equal(store.get('contacts', 'contact_t1')?.id, 'contact_t1');
    // …then its COMMIT fails (a full disk, an I/O error), as finishBatch would handle it.
    const internals = store as unknown as {
      batch: unknown;
      abortBatch(batch: unknown, error: Error): void;
    };
    internals.abortBatch(internals.batch, new Error('disk I/O error'));
    await assert.rejects(pending, /disk I\/O error/);
    assert.equal(store.get('contacts', 'contact_t1'), undefined);
    await store.close();
  });
});
