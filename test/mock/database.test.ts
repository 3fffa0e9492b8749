/**
 * The database file: one process at a time, refusal of files that are not ours or are newer,
 * the old JSON data file named, export, a full disk, and the db browser over the database.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { loadSqlite, SCHEMA_VERSION } from '../../mock-server/store/database';
import { demoSeed } from '../../mock-server/store/seed';
import { Store } from '../../mock-server/store/store';
import { CLI, startChild, TSX, type Child } from '../helpers/child';
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
    run(process.execPath, [...TSX, CLI, '--port', '0', '--quiet', ...args], { cwd }),
    (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1, error.stderr);
      stderr = error.stderr;
      return true;
    },
  );
  return stderr;
}

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
  });

  test('a database of a newer schema version is refused and left as it was', async () => {
    const store = await Store.open({ file, seed: demoSeed() });
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
    await run(process.execPath, [...TSX, CLI, 'export', out, '--db', file]);
    const exported = JSON.parse(readFileSync(out, 'utf8')) as Record<string, { email?: string }[]>;
    assert.deepEqual(Object.keys(exported).sort(), Object.keys(demoSeed()).sort());
    assert.ok(exported.contacts.some((c) => c.email === 'out@example.com'));
  });
});

describe('a full disk (a small tmpfs)', () => {
  let dir: string;
  let remove: () => void;
  let mounted = false;
  beforeAll(() => {
    ({ dir, remove } = temporaryDirectory());
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
      mounted = true;
    } catch (error) {
      console.warn(`not mounted, tmpfs case skipped: ${(error as Error).message}`);
    }
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [dir]);
    remove();
  });

  test('no acknowledged write is lost, and writes resume once space is freed', async () => {
    if (!mounted) return; // reported in beforeAll: mounting needs root
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
      const missing = await call(mock.base, 'GET', '/__admin/db/contacts/none', { key: null });
      assert.equal(missing.status, 404);
    } finally {
      await mock.stop();
    }
  });
});
