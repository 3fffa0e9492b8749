import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Contact } from '../../schemas/generated';
import { demoSeed } from '../../mock-server/store/seed';
import { journalFile, Store } from '../../mock-server/store/store';
import { temporaryDirectory } from '../helpers/mock';

function contact(i: number): Contact {
  return {
    id: `contact_t${i}`,
    workspace_id: 'owner_123',
    site_id: 'site_acme',
    email: `t${i}@example.com`,
    name: `T ${i}`,
    phone: null,
    company: null,
    status: null,
    tags: [],
    customFields: {},
    source: 'api',
    created_at: '2026-04-09T00:00:00.000Z',
    updated_at: '2026-04-09T00:00:00.000Z',
  };
}

describe('store', () => {
  test('a new data file starts from the seed, as a snapshot json-server can read', async () => {
    const { dir, remove } = temporaryDirectory();
    const file = path.join(dir, 'db.json');
    try {
      const store = await Store.open({ file, seed: demoSeed(), verifyRecords: true });
      await store.close();
      const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown[]>;
      assert.equal(data.workspaces.length, 3);
      for (const records of Object.values(data)) assert.ok(Array.isArray(records));
    } finally {
      remove();
    }
  });

  test('committed changes survive a reopen without close (journal replay)', async () => {
    const { dir, remove } = temporaryDirectory();
    const file = path.join(dir, 'db.json');
    try {
      const store = await Store.open({ file, seed: demoSeed(), verifyRecords: true });
      await store.commit([{ op: 'put', c: 'contacts', r: contact(1) }]);
      await store.commit([{ op: 'put', c: 'contacts', r: { ...contact(1), name: 'Renamed' } }]);
      await store.commit([{ op: 'put', c: 'contacts', r: contact(2) }]);
      await store.commit([{ op: 'del', c: 'contacts', id: 'contact_t2' }]);
      // No close: as if the process died right after the last acknowledgement.
      const reopened = await Store.open({ file, seed: demoSeed(), verifyRecords: true });
      assert.equal(reopened.get('contacts', 'contact_t1')?.name, 'Renamed');
      assert.equal(reopened.get('contacts', 'contact_t2'), undefined);
      assert.equal(reopened.contactByEmail('owner_123', 'T1@EXAMPLE.COM')?.id, 'contact_t1');
      await reopened.close();
    } finally {
      remove();
    }
  });

  test('a torn last journal line (a write cut by a crash) is dropped, the rest kept', async () => {
    const { dir, remove } = temporaryDirectory();
    const file = path.join(dir, 'db.json');
    try {
      const store = await Store.open({ file, seed: demoSeed() });
      await store.commit([{ op: 'put', c: 'contacts', r: contact(1) }]);
      appendFileSync(
        journalFile(file),
        '{"changes":[{"op":"put","c":"contacts","r":{"id":"contact_t',
      );
      const reopened = await Store.open({ file, seed: demoSeed() });
      assert.ok(reopened.get('contacts', 'contact_t1'));
      await reopened.commit([{ op: 'put', c: 'contacts', r: contact(3) }]);
      const again = await Store.open({ file, seed: demoSeed() });
      assert.ok(again.get('contacts', 'contact_t3'), 'appends after the cut line are readable');
      await again.close();
    } finally {
      remove();
    }
  });

  test('the journal is folded into the snapshot once it outgrows it', async () => {
    const { dir, remove } = temporaryDirectory();
    const file = path.join(dir, 'db.json');
    try {
      const store = await Store.open({ file, seed: demoSeed(), compactAfterBytes: 4096 });
      for (let i = 0; i < 200; i++)
        await store.commit([{ op: 'put', c: 'contacts', r: contact(i) }]);
      const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { contacts: Contact[] };
      assert.ok(snapshot.contacts.length > 50, 'the snapshot was rewritten with the new contacts');
      // The journal never grows much past the snapshot before it is folded in.
      assert.ok(statSync(journalFile(file)).size < 2 * statSync(file).size);
      const reopened = await Store.open({ file, seed: demoSeed() });
      for (let i = 0; i < 200; i++) assert.ok(reopened.get('contacts', `contact_t${i}`), `t${i}`);
      await reopened.close();
    } finally {
      remove();
    }
  });

  test('reset puts back the seed, durably', async () => {
    const { dir, remove } = temporaryDirectory();
    const file = path.join(dir, 'db.json');
    try {
      const store = await Store.open({ file, seed: demoSeed() });
      await store.commit([{ op: 'put', c: 'contacts', r: contact(1) }]);
      const live = store.data.contacts;
      await store.reset();
      assert.equal(store.get('contacts', 'contact_t1'), undefined);
      assert.equal(store.data.contacts, live, 'the same arrays: json-server keeps reading them');
      const reopened = await Store.open({ file, seed: demoSeed() });
      assert.equal(reopened.get('contacts', 'contact_t1'), undefined);
      assert.ok(reopened.get('contacts', 'contact_123'));
    } finally {
      remove();
    }
  });

  test('an invalid record is refused and changes nothing (verify mode)', async () => {
    const store = await Store.open({ seed: demoSeed(), verifyRecords: true });
    const bad = { ...contact(1), email: 'not-an-email' };
    await assert.rejects(
      store.commit([
        { op: 'put', c: 'contacts', r: contact(2) },
        { op: 'put', c: 'contacts', r: bad },
      ]),
    );
    assert.equal(store.get('contacts', 'contact_t2'), undefined);
  });
});

test('expired records are dropped when the journal is compacted', async () => {
  const { dir, remove } = temporaryDirectory();
  const file = path.join(dir, 'db.json');
  try {
    const store = await Store.open({
      file,
      seed: demoSeed(),
      expireAfterMs: { contacts: 60_000 },
    });
    const old = { ...contact(1), created_at: '2020-01-01T00:00:00.000Z' };
    const fresh = { ...contact(2), created_at: new Date().toISOString() };
    await store.commit([
      { op: 'put', c: 'contacts', r: old },
      { op: 'put', c: 'contacts', r: fresh },
    ]);
    await store.close();
    const reopened = await Store.open({ file, seed: demoSeed() });
    assert.equal(reopened.get('contacts', 'contact_t1'), undefined);
    assert.ok(reopened.get('contacts', 'contact_t2'));
  } finally {
    remove();
  }
});

test('a change that cannot be written is undone: memory shows nothing of it', async () => {
  const { dir, remove } = temporaryDirectory();
  const file = path.join(dir, 'db.json');
  try {
    const store = await Store.open({ file, seed: demoSeed() });
    const journal = (store as unknown as { journal: { append: (line: string) => Promise<void> } })
      .journal;
    const append = journal.append.bind(journal);
    journal.append = () => Promise.reject(new Error('disk full'));
    const before = structuredClone(store.get('contacts', 'contact_123'));
    await assert.rejects(
      store.commit([
        { op: 'put', c: 'contacts', r: { ...contact(1) } },
        { op: 'put', c: 'contacts', r: { ...(before as Contact), name: 'Changed' } },
        { op: 'del', c: 'contacts', id: 'contact_124' },
      ]),
      /disk full/,
    );
    assert.equal(store.get('contacts', 'contact_t1'), undefined);
    assert.deepEqual(store.get('contacts', 'contact_123'), before);
    assert.ok(store.get('contacts', 'contact_124'));
    assert.equal(store.contactByEmail('owner_123', 't1@example.com'), undefined);
    journal.append = append;
    await store.close();
  } finally {
    remove();
  }
});
