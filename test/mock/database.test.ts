/**
 * The database file: one process at a time, refusal of files that are not ours or are newer,
 * the old JSON data file named, export, a full disk, and the db browser over the database.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { buildContact } from '../../mock-server/domain/records';
import { storeRecord } from '../../mock-server/store/collections';
import {
  APPLICATION_ID,
  loadSqlite,
  recordCleanClose,
  SCHEMA_VERSION,
  SEED_KEY,
} from '../../mock-server/store/database';
import { contactByEmail } from '../../mock-server/store/lookups';
import { demoSeed } from '../../mock-server/store/seed';
import { Store } from '../../mock-server/store/store';
import { type Child, MOCK_CLI, startChild } from '../helpers/child';
import { testUnless } from '../helpers/skip';
import {
  call,
  startMock,
  temporaryDirectory,
  temporaryDirectoryForEachTest,
} from '../helpers/mock';

const run = promisify(execFile);

const { DatabaseSync: Database } = loadSqlite();

/** Starting the CLI on `args` fails with exit 1; resolves with what it printed. */
async function refusal(args: string[], cwd?: string): Promise<string> {
  let stderr = '';
  await assert.rejects(
    run(process.execPath, [MOCK_CLI, '--port', '0', '--quiet', ...args], { cwd }),
    (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1, error.stderr);
      stderr = error.stderr;
      return true;
    },
  );
  return stderr;
}

/** `length` bytes of noise, the same on every run (a hash chain). */
function noise(length: number): Buffer {
  const blocks: Buffer[] = [];
  let block = createHash('sha256').update('noise').digest();
  for (let size = 0; size < length; size += block.length) {
    blocks.push(block);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat(blocks).subarray(0, length);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function stop(child: Child): Promise<void> {
  child.process.kill('SIGTERM');
  assert.equal(await child.exited, 0, child.output());
}

describe('the database file', () => {
  const inDirectory = temporaryDirectoryForEachTest();
  let file: string;
  beforeEach(() => (file = inDirectory('mock.sqlite')));

  test('a second process on the same file refuses to start, naming it', async () => {
    const first = await startChild(['--db', file, '--quiet']);
    try {
      const message = await refusal(['--db', file]);
      assert.ok(message.includes(file), message);
      assert.match(message, /in use by another chatting-mock process/);
      // The first one still answers and writes.
      const created = await call(first.base, 'POST', '/api/zapier/contacts', {
        body: { email: 'first@example.com' },
      });
      assert.equal(created.status, 201);
    } finally {
      await stop(first);
    }
    // --memory servers never conflict, with each other or with a file.
    const memory = await Promise.all([
      startChild(['--memory', '--quiet']),
      startChild(['--memory', '--quiet']),
    ]);
    await Promise.all(memory.map(stop));
  });

  test('a file that is not a chatting-mock database is refused and left as it was', async () => {
    writeFileSync(file, '{}');
    const json = await refusal(['--db', file]);
    assert.ok(json.includes(file), json);
    assert.match(json, /not a chatting-mock database/);
    assert.equal(readFileSync(file, 'utf8'), '{}');

    const other = inDirectory('other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE notes (text TEXT)');
    db.close();
    const before = readFileSync(other);
    const sqlite = await refusal(['--db', other]);
    assert.match(sqlite, /not a chatting-mock database \(a SQLite file of another application\)/);
    assert.deepEqual(readFileSync(other), before);

    // Our application id, someone else's tables and no schema version: not ours either, and
    // not "another application's" (its id says otherwise).
    const lookalike = inDirectory('lookalike.sqlite');
    const imitation = new Database(lookalike);
    imitation.exec(`PRAGMA application_id = ${APPLICATION_ID}; CREATE TABLE t (a)`);
    imitation.close();
    const imitated = await refusal(['--db', lookalike]);
    assert.ok(imitated.includes(lookalike), imitated);
    assert.match(
      imitated,
      /tables but no schema version, though it carries chatting-mock's application id/,
    );
  });

  test('a database of a newer schema version is refused and left as it was', async () => {
    const store = Store.open({ file, seed: demoSeed() });
    await store.close();
    const db: DatabaseSync = new Database(file);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = readFileSync(file);
    const message = await refusal(['--db', file]);
    assert.ok(message.includes(file), message);
    assert.match(message, new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer`));
    assert.deepEqual(readFileSync(file), before);
  });

  test('a damaged database (16 KB of noise in the middle) is refused by name and left as it was', async () => {
    const store = Store.open({ file, seed: demoSeed() });
    const contacts = Array.from({ length: 2000 }, (_, i) =>
      storeRecord(
        'contacts',
        buildContact(
          {
            workspace_id: 'owner_123',
            site_id: 'site_acme',
            email: `c${i}@example.com`,
            name: `Contact ${i}`,
          },
          '2026-04-09T00:00:00.000Z',
        ),
      ),
    );
    await store.commit(contacts);
    await store.close();
    const bytes = readFileSync(file);
    noise(16 * 1024).copy(bytes, Math.floor(bytes.length / 2 / 4096) * 4096);
    writeFileSync(file, bytes);
    const message = await refusal(['--db', file]);
    assert.ok(message.includes(file), message);
    assert.match(message, /is damaged \(/);
    assert.deepEqual(readFileSync(file), bytes);
  });

  test('a file exactly as its last clean stop left it is not checked again; any change since is', async () => {
    const record = `${file}-closed`;
    const store = Store.open({ file, seed: demoSeed() });
    await store.close();
    assert.ok(existsSync(record), 'a clean stop records the file');
    // Damage the record cannot see (as if the bytes had always been so): the start trusts it.
    const bytes = readFileSync(file);
    noise(4096).copy(bytes, Math.floor(bytes.length / 2 / 4096) * 4096);
    writeFileSync(file, bytes);
    recordCleanClose(file);
    const trusting = Store.open({ file });
    assert.ok(!existsSync(record), 'a record is used once');
    await trusting.close();
    // Any write since the record moves the file's times: the start checks, and refuses.
    utimesSync(file, new Date(), new Date());
    const message = await refusal(['--db', file]);
    assert.match(message, /is damaged \(/);
  });

  test('a folder, a path under a file and a read-only file are refused, each for its reason', async () => {
    mkdirSync(inDirectory('folder'));
    const folder = await refusal(['--db', inDirectory('folder')]);
    assert.match(
      folder,
      new RegExp(`${escape(inDirectory('folder'))} is a folder, not a database file`),
    );

    writeFileSync(inDirectory('plain'), 'text');
    const under = inDirectory('plain', 'mock.sqlite');
    const underFile = await refusal(['--db', under]);
    assert.ok(underFile.includes(under), underFile);
    assert.match(underFile, new RegExp(`${escape(inDirectory('plain'))} is a file, not a folder`));

    if (process.getuid?.() === 0) {
      // Root writes a read-only file anyway: see the read-only file system case below.
      return;
    }
    const store = Store.open({ file, seed: demoSeed() });
    await store.close();
    chmodSync(file, 0o444);
    const readOnly = await refusal(['--db', file]);
    assert.match(readOnly, new RegExp(`${escape(file)} cannot be written \\(EACCES\\)`));
  });

  test('a link that leads nowhere is refused for its reason; one to a file not made yet is followed', async () => {
    symlinkSync(inDirectory('missing', 'mock.sqlite'), inDirectory('dangling'));
    const dangling = await refusal(['--db', inDirectory('dangling')]);
    assert.match(dangling, /is a symbolic link to .*: a folder that does not exist/);
    symlinkSync(inDirectory('loop-b'), inDirectory('loop-a'));
    symlinkSync(inDirectory('loop-a'), inDirectory('loop-b'));
    const loop = await refusal(['--db', inDirectory('loop-a')]);
    assert.match(loop, /a chain of links that loops or leads nowhere/);

    symlinkSync(inDirectory('made-through-link.sqlite'), inDirectory('ahead'));
    const store = Store.open({ file: inDirectory('ahead'), seed: demoSeed() });
    await store.close();
    assert.ok(existsSync(inDirectory('made-through-link.sqlite')));
  });

  test('a file with our application id but not our tables is refused and left as it was', async () => {
    for (const version of [0, 1]) {
      const other = inDirectory(`claims-ours-${version}.sqlite`);
      const db = new Database(other);
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
      db.exec(`PRAGMA user_version = ${version}`);
      db.exec('CREATE TABLE notes (text TEXT)');
      db.close();
      const before = readFileSync(other);
      const message = await refusal(['--db', other]);
      assert.ok(message.includes(other), message);
      assert.match(
        message,
        version === 0 ? /is not a chatting-mock database/ : /lacks its tables \(meta; workspaces;/,
      );
      assert.deepEqual(readFileSync(other), before);
    }
  });

  test('a database whose first start failed before its seed gets the seed at the next start', async () => {
    // What an earlier version left after a first start on a full disk: tables, no seed.
    const store = Store.open({ file, seed: demoSeed() });
    await store.close();
    const db = new Database(file);
    for (const table of ['meta', ...Object.keys(demoSeed())]) db.exec(`DELETE FROM ${table}`);
    db.close();
    const reopened = Store.open({ file, seed: demoSeed() });
    assert.equal(reopened.created, true);
    assert.equal(reopened.all('workspaces').length, 3);
    assert.deepEqual(reopened.seed.contacts, demoSeed().contacts, 'remembered for reset');
    await reopened.close();
    // A database with its seed is not created again.
    const again = Store.open({ file, seed: { ...demoSeed(), workspaces: [] } });
    assert.equal(again.created, false);
    assert.equal(again.all('workspaces').length, 3);
    await again.close();
  });

  test('a version 1 database (emails folded by lower()) is migrated: any case finds its contacts', async () => {
    // The layout version 1 wrote: tables of id and doc, the email index on SQLite's lower().
    const seed = demoSeed();
    const jose = buildContact(
      {
        id: 'contact_jose',
        workspace_id: 'owner_123',
        site_id: 'site_acme',
        email: 'JOSÉ@Exämple.com',
      },
      '2026-04-09T00:00:00.000Z',
    );
    const old = new Database(file);
    old.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    old.exec('PRAGMA user_version = 1');
    old.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    old.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(SEED_KEY, JSON.stringify(seed));
    for (const [name, records] of Object.entries({ ...seed, contacts: [...seed.contacts, jose] })) {
      old.exec(`CREATE TABLE ${name} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)`);
      const insert = old.prepare(`INSERT INTO ${name} (id, doc) VALUES (?, ?)`);
      for (const record of records as { id: string }[])
        insert.run(record.id, JSON.stringify(record));
    }
    old.exec(
      "CREATE INDEX contacts_by_email ON contacts (json_extract(doc, '$.workspace_id'), lower(json_extract(doc, '$.email')))",
    );
    old.close();

    const store = Store.open({ file, seed: demoSeed() });
    assert.equal(store.created, false);
    assert.equal(contactByEmail(store, 'owner_123', 'josé@exämple.com')?.id, 'contact_jose');
    assert.equal(
      contactByEmail(store, 'owner_123', seed.contacts[0].email.toUpperCase())?.id,
      seed.contacts[0].id,
    );
    await store.commit([
      storeRecord('contacts', { ...jose, id: 'contact_new', email: 'ÀDA@x.example' }),
    ]);
    assert.equal(contactByEmail(store, 'owner_123', 'àda@X.EXAMPLE')?.id, 'contact_new');
    await store.close();

    // Still an ordinary SQLite file: a connection without any function of ours reads the folded
    // column (the README's query) and writes contacts (an index on a function of ours would
    // refuse that write).
    const plain = new Database(file);
    assert.equal(
      (plain.prepare('PRAGMA user_version').get() as { user_version: number }).user_version,
      SCHEMA_VERSION,
    );
    const found = plain
      .prepare("SELECT id FROM contacts WHERE email_folded = 'josé@xn--exmple-cua.com'")
      .all() as { id: string }[];
    assert.deepEqual(
      found.map((row) => row.id),
      ['contact_jose'],
    );
    const byHand = { ...jose, id: 'contact_by_hand', email: 'Hand@Example.com' };
    plain
      .prepare('INSERT INTO contacts (id, doc, email_folded) VALUES (?, ?, ?)')
      .run(byHand.id, JSON.stringify(byHand), 'hand@example.com');
    plain.close();
    const reopened = Store.open({ file, seed: demoSeed() });
    assert.equal(contactByEmail(reopened, 'owner_123', 'HAND@example.com')?.id, 'contact_by_hand');
    await reopened.close();
  });

  test('--db :memory: is --memory: no file of that name is written', async () => {
    const child = await startChild(['--db', ':memory:', '--quiet'], inDirectory());
    await stop(child);
    assert.match(child.output(), /data {6}in memory only/);
    assert.equal(existsSync(inDirectory(':memory:')), false);
  });

  test('the JSON data file of earlier versions is named, not imported', async () => {
    mkdirSync(inDirectory('.chatting-mock'));
    writeFileSync(inDirectory('.chatting-mock', 'db.json'), '{"contacts":[]}');
    const child = await startChild(['--quiet'], inDirectory());
    await stop(child);
    assert.match(child.output(), /\.chatting-mock\/db\.json is the JSON data file of an earlier/);
    assert.match(child.output(), /rm -f \.chatting-mock\/db\.json/);
    assert.ok(existsSync(inDirectory('.chatting-mock', 'mock.sqlite')));
  });

  test('export writes the whole state as one JSON file json-server can serve', async () => {
    const child = await startChild(['--db', file, '--quiet']);
    await call(child.base, 'POST', '/api/zapier/contacts', { body: { email: 'out@example.com' } });
    await stop(child);
    const out = inDirectory('export.json');
    await run(process.execPath, [MOCK_CLI, 'export', out, '--db', file]);
    const exported = JSON.parse(readFileSync(out, 'utf8')) as Record<string, { email?: string }[]>;
    assert.deepEqual(Object.keys(exported).sort(), Object.keys(demoSeed()).sort());
    assert.ok(exported.contacts.some((c) => c.email === 'out@example.com'));
  });
});

/**
 * Whether this process may mount a tmpfs (root, with mount(8)), probed once before the tests are
 * defined: a case that cannot run is reported as skipped, with the reason, never passed.
 */
const tmpfsRefusal: string | false = (() => {
  const { dir, remove } = temporaryDirectory();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir]);
    return false;
  } catch (error) {
    return `no tmpfs can be mounted here (needs root): ${(error as Error).message.split('\n')[0]}`;
  } finally {
    remove();
  }
})();
const tmpfsTest = testUnless(tmpfsRefusal);

describe('a full disk and a read-only file system (a small tmpfs of its own for each test)', () => {
  let dir: string;
  let remove: () => void;
  beforeEach(() => {
    ({ dir, remove } = temporaryDirectory());
    if (!tmpfsRefusal) {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
    }
  });
  afterEach(() => {
    if (!tmpfsRefusal) execFileSync('umount', [dir]);
    remove();
  });

  /** Fills the file system but for about `leftBytes`. */
  function fill(filler: string, leftBytes: number): void {
    const { bavail, bsize } = statfsSync(dir);
    const blocks = Math.max(0, Math.floor((bavail * bsize - leftBytes) / 4096));
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k', `count=${blocks}`], {
      stdio: 'pipe',
    });
  }

  tmpfsTest(
    'a first start on a full disk names the cause and leaves no database without its seed',
    async () => {
      const file = path.join(dir, 'mock.sqlite');
      const filler = path.join(dir, 'filler');
      // Each amount of room runs out at another step of the creation (none, the header, the seed).
      for (const left of [0, 8 * 1024, 64 * 1024]) {
        fill(filler, left);
        const message = await refusal(['--db', file]);
        assert.ok(message.includes(file), message);
        assert.match(message, /database or disk is full/);
        assert.doesNotMatch(message, /rollback/);
        rmSync(filler);
        const child = await startChild(['--db', file, '--quiet']);
        try {
          const workspaces = await call(child.base, 'GET', '/__admin/workspaces', { key: null });
          assert.equal(
            workspaces.body.items.length,
            3,
            `after ${left} bytes left: ${workspaces.text}`,
          );
        } finally {
          await stop(child);
        }
        rmSync(file);
      }
    },
  );

  tmpfsTest(
    'a database on a read-only file system is refused, naming the file and why',
    async () => {
      const file = path.join(dir, 'mock.sqlite');
      const store = Store.open({ file, seed: demoSeed() });
      await store.close();
      execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' });
      const message = await refusal(['--db', file]);
      assert.ok(message.includes(file), message);
      assert.match(message, /cannot be written \(a read-only file system\)/);
    },
  );

  tmpfsTest('no acknowledged write is lost, and writes resume once space is freed', async () => {
    const file = path.join(dir, 'mock.sqlite');
    const filler = path.join(dir, 'filler');
    const acknowledged: string[] = [];
    let child = await startChild(['--db', file, '--quiet']);
    try {
      // Fill the file system to the last byte.
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k'], { stdio: 'pipe' });
      } catch {
        // dd stops with "No space left on device": full.
      }
      const statuses: number[] = [];
      for (let round = 0; round < 20 && !statuses.some((s) => s >= 500); round++) {
        const replies = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            call(child.base, 'POST', '/api/zapier/contacts', {
              body: { email: `full${round}-${i}@example.com`, name: 'x'.repeat(200) },
            }),
          ),
        );
        for (const reply of replies) {
          statuses.push(reply.status);
          if (reply.status === 201) acknowledged.push(reply.body.id as string);
          else assert.equal(reply.body.error, 'contact-save-failed', reply.text);
        }
      }
      assert.ok(
        statuses.some((s) => s === 500),
        `no write failed: ${statuses.join()}`,
      );
      // Reads go on.
      assert.equal((await call(child.base, 'GET', '/api/zapier/me')).status, 200);
      rmSync(filler);
      const after = await call(child.base, 'POST', '/api/zapier/contacts', {
        body: { email: 'after@example.com' },
      });
      assert.equal(after.status, 201, after.text);
      acknowledged.push(after.body.id as string);
      child.process.kill('SIGKILL');
      await child.exited;
      child = await startChild(['--db', file, '--quiet']);
      const stored = await call(child.base, 'GET', '/__admin/db/contacts', { key: null });
      const ids = new Set((stored.body as { id: string }[]).map((c) => c.id));
      assert.deepEqual(
        acknowledged.filter((id) => !ids.has(id)),
        [],
      );
    } finally {
      child.process.kill('SIGKILL');
      await child.exited;
    }
  });
});

describe('the db browser over the database', () => {
  test('every answer is JSON: everything, one record, joins, and bad queries', async () => {
    const mock = await startMock();
    try {
      const everything = await call(mock.base, 'GET', '/__admin/db/db', { key: null });
      assert.equal(everything.status, 200);
      assert.deepEqual(Object.keys(everything.body).sort(), Object.keys(demoSeed()).sort());
      const one = await call(mock.base, 'GET', '/__admin/db/contacts/contact_123', { key: null });
      assert.equal(one.status, 200, one.text);
      assert.equal(one.body.id, 'contact_123');
      const expanded = await call(
        mock.base,
        'GET',
        '/__admin/db/contacts?id=contact_123&_expand=workspace',
        { key: null },
      );
      assert.equal(expanded.status, 200, expanded.text);
      assert.equal(expanded.body[0].workspace.id, 'owner_123');
      // _like is a substring: "(" is text to look for, not a broken regular expression.
      const like = await call(mock.base, 'GET', '/__admin/db/contacts?email_like=(', { key: null });
      assert.equal(like.status, 200, like.text);
      assert.deepEqual(like.body, []);
      const bad = await call(mock.base, 'GET', '/__admin/db/contacts?_sort=id&_sort=email', {
        key: null,
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error, 'invalid-request');
      assert.match(bad.body.message as string, /give it once \(several fields: _sort=a,b\)/);
      const missing = await call(mock.base, 'GET', '/__admin/db/contacts/none', { key: null });
      assert.equal(missing.status, 404);
    } finally {
      await mock.stop();
    }
  });

  test('one record by its id alone is read by its key, not with its collection, and answers as json-server does', async () => {
    const mock = await startMock();
    const store = mock.server.services.store;
    const snapshot = jest.spyOn(store, 'snapshot');
    const browse = (path: string) => call(mock.base, 'GET', `/__admin/db/${path}`, { key: null });
    try {
      // Any query sends the same form through json-server: its answer, byte for byte.
      const viaJsonServer = await browse('contacts/contact_123?unread=1');
      assert.equal(snapshot.mock.calls.length, 1, 'json-server reads the collection');
      assert.equal(viaJsonServer.body.id, 'contact_123');
      for (const path of ['contacts/contact_123', 'contacts/contact%5F123']) {
        const one = await browse(path);
        assert.equal(one.status, 200, one.text);
        assert.equal(one.text, viaJsonServer.text);
      }
      const missing = await browse('contacts/none');
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.body, {
        ok: false,
        error: 'not-found',
        message: 'nothing at /__admin/db/contacts/none',
      });
      assert.equal(snapshot.mock.calls.length, 1, 'no read of the collection for one record');
      // With a query, the record goes through json-server (here a join), as before.
      const joined = await browse('contacts/contact_123?_expand=workspace');
      assert.equal(joined.body.workspace.id, 'owner_123');
      assert.equal(snapshot.mock.calls.length, 2);
      // An empty id is no id: json-server's list.
      const list = await browse('contacts//');
      assert.equal(list.status, 200, list.text);
      assert.ok(Array.isArray(list.body));
    } finally {
      snapshot.mockRestore();
      await mock.stop();
    }
  });
});
