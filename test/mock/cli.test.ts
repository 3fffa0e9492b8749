import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI, startChild, TSX } from '../helpers/child';
import { call, DEMO_KEYS, temporaryDirectory } from '../helpers/mock';

const run = promisify(execFile);

describe('chatting-mock', () => {
  test('--help lists every flag', async () => {
    const { stdout } = await run(process.execPath, [...TSX, CLI, '--help']);
    for (const flag of ['--port', '--host', '--db', '--memory', '--seed', '--quiet', '--help']) {
      assert.ok(stdout.includes(flag), flag);
    }
  });

  test('an unknown flag exits 2 with a hint', async () => {
    await assert.rejects(
      run(process.execPath, [...TSX, CLI, '--bogus']),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 2);
        assert.match(error.stderr, /--help/);
        return true;
      },
    );
  });

  test('the banner shows the URL, the demo key and a curl for /me that works', async () => {
    const { dir, remove } = temporaryDirectory();
    const child = await startChild([], dir);
    try {
      const banner = child.output();
      assert.ok(banner.includes(DEMO_KEYS.acme));
      const curl = /curl -s (\S+) -H 'X-API-Key: (\S+)'/.exec(banner);
      assert.ok(curl, banner);
      const reply = await call(curl[1].replace('/api/zapier/me', ''), 'GET', '/api/zapier/me', {
        key: curl[2],
      });
      assert.equal(reply.body.team_name, 'Acme Team');
      // Default data file, under the working directory.
      assert.ok(existsSync(path.join(dir, '.chatting-mock', 'db.json')));
    } finally {
      child.process.kill('SIGINT');
      assert.equal(await child.exited, 0);
      remove();
    }
  });

  test('logs requests without keys, and SIGTERM keeps what was written', async () => {
    const { dir, remove } = temporaryDirectory();
    const dbFile = path.join(dir, 'data.json');
    try {
      const first = await startChild(['--db', dbFile]);
      const created = await call(first.base, 'POST', '/api/zapier/contacts', {
        body: { email: 'kept@example.com' },
      });
      first.process.kill('SIGTERM');
      assert.equal(await first.exited, 0);
      assert.match(first.output(), /POST \/api\/zapier\/contacts 201 [\d.]+ms owner_123/);
      const withoutBanner = first.output().split('admin')[1];
      assert.ok(!withoutBanner.includes(DEMO_KEYS.acme));

      const second = await startChild(['--db', dbFile, '--quiet']);
      const again = await call(second.base, 'POST', '/api/zapier/contacts', {
        body: { email: 'KEPT@example.com' },
      });
      assert.equal(again.status, 200);
      assert.equal(again.body.id, created.body.id);
      second.process.kill('SIGTERM');
      assert.equal(await second.exited, 0);
      assert.ok(!second.output().includes('POST /api'), 'quiet');
    } finally {
      remove();
    }
  });

  test('--memory writes nothing', async () => {
    const { dir, remove } = temporaryDirectory();
    try {
      const child = await startChild(['--memory', '--quiet'], dir);
      await call(child.base, 'POST', '/api/zapier/contacts', {
        body: { email: 'gone@example.com' },
      });
      child.process.kill('SIGTERM');
      assert.equal(await child.exited, 0);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      remove();
    }
  });

  test('--seed loads a QA fixture, with keys given as tokens', async () => {
    const { dir, remove } = temporaryDirectory();
    const seed = path.join(dir, 'seed.json');
    const token = 'chatting_live_qa_qaqaqaqaqaqaqaqaqaqaqaqa';
    writeFileSync(
      seed,
      JSON.stringify({
        workspaces: [
          {
            id: 'qa_ws',
            team_name: 'QA',
            owner_email: 'qa@example.com',
            primary_site_id: null,
            created_at: '2026-01-01T00:00:00.000Z',
          },
        ],
        api_keys: [{ token, workspace_id: 'qa_ws' }],
      }),
    );
    try {
      const child = await startChild(['--memory', '--quiet', '--seed', seed]);
      const me = await call(child.base, 'GET', '/api/zapier/me', { key: token });
      assert.equal(me.body.workspace_id, 'qa_ws');
      const demo = await call(child.base, 'GET', '/api/zapier/me', { key: DEMO_KEYS.acme });
      assert.equal(demo.status, 401);
      assert.match(child.output(), /keys +from the seed file/);
      child.process.kill('SIGTERM');
      assert.equal(await child.exited, 0);
    } finally {
      remove();
    }
  });

  test('a seed file with an invalid record is refused with a clear message', async () => {
    const { dir, remove } = temporaryDirectory();
    const seed = path.join(dir, 'seed.json');
    writeFileSync(seed, JSON.stringify({ contacts: [{ id: 'c1', email: 'not-an-email' }] }));
    try {
      await assert.rejects(
        run(process.execPath, [...TSX, CLI, '--memory', '--seed', seed]),
        (error: { code: number; stderr: string }) => {
          assert.equal(error.code, 1);
          assert.match(error.stderr, /contacts\[0\]/);
          return true;
        },
      );
    } finally {
      remove();
    }
  });
});
