import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import { boundHeapGrowth, HEAP_GROWING_FLAG } from '../../mock-server/cli';
import { BODY_LIMIT_BYTES } from '../../mock-server/http/errors';
import { DEFAULT_REQUEST_TIMEOUTS } from '../../mock-server/server';
import {
  CLI_SOURCE,
  MOCK_BIN,
  MOCK_CLI,
  MOCK_RUNTIME_FLAGS,
  REPO,
  startChild,
  TSX,
} from '../helpers/child';
import { schemaJson } from '../../schemas/validator';
import { call, DEMO_KEYS, temporaryDirectory } from '../helpers/mock';

type ApiKeySchema = { $defs: { token: { 'x-pattern-meaning': string } } };
import { testUnless } from '../helpers/skip';

const run = promisify(execFile);

describe('chatting-mock', () => {
  test('--help lists every flag', async () => {
    const { stdout } = await run(process.execPath, [MOCK_CLI, '--help']);
    for (const flag of ['--port', '--host', '--db', '--memory', '--seed', '--quiet', '--help']) {
      assert.ok(stdout.includes(flag), flag);
    }
  });

  test('--help states the time and size limits', async () => {
    const { stdout } = await run(process.execPath, [MOCK_CLI, '--help']);
    const { headersMs, requestMs } = DEFAULT_REQUEST_TIMEOUTS;
    assert.match(stdout, new RegExp(`request headers +within ${headersMs / 1000} s`));
    assert.match(stdout, new RegExp(`whole request +within ${requestMs / 1000} s`));
    assert.match(stdout, /408 request-timeout/);
    assert.match(stdout, new RegExp(`${BODY_LIMIT_BYTES / 1024} KiB`));
  });

  // The same command from each entry point: the TypeScript source, and the installed bin (which
  // runs the compiled CLI that npm test builds first).
  for (const [entry, args] of [
    ['mock-server/cli.ts', [...TSX, CLI_SOURCE]],
    ['bin/chatting-mock.js', [path.join(REPO, 'bin', 'chatting-mock.js')]],
  ] as const) {
    test(`${entry}: an unknown flag exits 2 with a hint`, async () => {
      await assert.rejects(
        run(process.execPath, [...args, '--bogus']),
        (error: { code: number; stderr: string }) => {
          assert.equal(error.code, 2);
          assert.match(error.stderr, /Unknown option '--bogus'/);
          assert.match(error.stderr, /--help/);
          return true;
        },
      );
    });
  }

  // The system's Node, where it is one without node:sqlite (Debian's Node 20 here).
  const olderNode = ['/usr/bin/node', '/usr/local/bin/node'].find(
    (node) =>
      existsSync(node) &&
      spawnSync(node, ['-p', "require('node:module').isBuiltin('node:sqlite')"], {
        encoding: 'utf8',
      }).stdout.trim() === 'false',
  );
  testUnless(!olderNode && 'no Node without node:sqlite at /usr/bin or /usr/local/bin')(
    'on a Node without node:sqlite, each entry says which Node it needs and exits 1',
    async () => {
      for (const entry of [MOCK_BIN, path.join(REPO, 'dist', 'mock-server', 'cli.js')]) {
        await assert.rejects(
          run(olderNode as string, [entry, '--memory']),
          (error: { code: number; stderr: string }) => {
            assert.equal(error.code, 1);
            assert.match(error.stderr, /Node 22\.13 or later is needed .*this is Node v/);
            assert.match(error.stderr, /node_modules\/\.bin\/node dist\/mock-server\/cli\.js/);
            assert.doesNotMatch(error.stderr, /No such built-in module/);
            return true;
          },
        );
      }
    },
  );

  test('bin/chatting-mock.js run as a command gives node its memory bounds', async () => {
    // `env -S node ...` in the shebang finds node on PATH: this one, first.
    const env = {
      ...process.env,
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    };
    const child = await startChild(['--memory', '--quiet'], REPO, [], { file: MOCK_BIN, env });
    try {
      const argv = readFileSync(`/proc/${child.process.pid}/cmdline`, 'utf8').split('\0');
      assert.ok(argv.includes('--max-semi-space-size=4'), argv.join(' '));
      assert.ok(argv.includes(HEAP_GROWING_FLAG), argv.join(' '));
      const reply = await call(child.base, 'GET', '/api/zapier/me', { key: DEMO_KEYS.acme });
      assert.equal(reply.status, 200);
    } finally {
      child.process.kill('SIGTERM');
      assert.equal(await child.exited, 0);
    }
  });

  test('a node started without a growth factor gets the one of the command from the command itself', () => {
    // Not applied here: the test only sees whether the command would set it.
    const set = jest.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
    try {
      boundHeapGrowth([]);
      assert.deepEqual(set.mock.calls, [[HEAP_GROWING_FLAG]]);
      set.mockClear();
      // One given on node's command line (the shebang's, or someone's own) is left as it is.
      boundHeapGrowth([HEAP_GROWING_FLAG]);
      boundHeapGrowth(['--heap-growing-percent=20']);
      assert.equal(set.mock.calls.length, 0);
    } finally {
      set.mockRestore();
    }
  });

  test('npm start runs the bin with the node flags of its shebang (cmd.exe cannot run a shebang)', () => {
    const packageJson = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    assert.ok(MOCK_RUNTIME_FLAGS.includes('--max-semi-space-size=4'));
    assert.ok(MOCK_RUNTIME_FLAGS.includes(HEAP_GROWING_FLAG));
    assert.ok(
      packageJson.scripts.start.endsWith(
        `node ${MOCK_RUNTIME_FLAGS.join(' ')} ./bin/chatting-mock.js`,
      ),
      packageJson.scripts.start,
    );
  });

  test('npm start hands over to the mock: a SIGTERM to npm stops the mock, not only npm', async () => {
    const npm = await startChild(['--memory', '--quiet'], REPO, ['start', '--'], { file: 'npm' });
    assert.equal((await fetch(`${npm.base}/__admin/health`)).status, 200);
    npm.process.kill('SIGTERM');
    await npm.exited;
    // Left under a shell that did not pass the signal on, the mock would still answer here.
    await assert.rejects(fetch(`${npm.base}/__admin/health`));
  });

  test("an empty --admin-token is no token: the variable's token is kept, and the banner asks for one only when one is checked", async () => {
    const withVariable = await startChild(['--memory', '--admin-token', ''], REPO, [MOCK_CLI], {
      file: process.execPath,
      env: { ...process.env, CHATTING_MOCK_ADMIN_TOKEN: 'team-token' },
    });
    try {
      assert.equal((await fetch(`${withVariable.base}/__admin/health`)).status, 401);
      const health = await fetch(`${withVariable.base}/__admin/health`, {
        headers: { 'x-admin-token': 'team-token' },
      });
      assert.equal(health.status, 200);
      assert.match(withVariable.output(), /send the admin token as X-Admin-Token/);
    } finally {
      withVariable.process.kill('SIGINT');
      await withVariable.exited;
    }
    const variables = { ...process.env };
    delete variables.CHATTING_MOCK_ADMIN_TOKEN;
    const none = await startChild(['--memory', '--admin-token', ''], REPO, [MOCK_CLI], {
      file: process.execPath,
      env: variables,
    });
    try {
      assert.equal((await fetch(`${none.base}/__admin/health`)).status, 200);
      assert.doesNotMatch(none.output(), /admin token/);
    } finally {
      none.process.kill('SIGINT');
      await none.exited;
    }
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
      // Default database, under the working directory.
      assert.ok(existsSync(path.join(dir, '.chatting-mock', 'mock.sqlite')));
    } finally {
      child.process.kill('SIGINT');
      assert.equal(await child.exited, 0);
      remove();
    }
  });

  test('logs requests without keys, and SIGTERM keeps what was written', async () => {
    const { dir, remove } = temporaryDirectory();
    const dbFile = path.join(dir, 'data.sqlite');
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

  test('examples/seed.json starts a server whose key answers /me', async () => {
    const example = path.join(REPO, 'examples', 'seed.json');
    const token = (JSON.parse(readFileSync(example, 'utf8')) as { api_keys: { token: string }[] })
      .api_keys[0].token;
    const child = await startChild(['--memory', '--quiet', '--seed', example]);
    try {
      const me = await call(child.base, 'GET', '/api/zapier/me', { key: token });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.team_name, 'Example Co');
      const samples = await call(child.base, 'GET', '/api/zapier/contacts?limit=1', { key: token });
      assert.equal(samples.status, 200);
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
    }
  });

  test('reset puts back the seed the database was created from, whatever a restart is given', async () => {
    const { dir, remove } = temporaryDirectory();
    const dbFile = path.join(dir, 'mock.sqlite');
    const example = path.join(REPO, 'examples', 'seed.json');
    const token = (JSON.parse(readFileSync(example, 'utf8')) as { api_keys: { token: string }[] })
      .api_keys[0].token;
    try {
      const first = await startChild(['--db', dbFile, '--quiet', '--seed', example]);
      first.process.kill('SIGTERM');
      assert.equal(await first.exited, 0);

      // Restarted on the same data without --seed, then with another seed: reset still loads the
      // example, never the demo data nor the other seed.
      const other = path.join(dir, 'other-seed.json');
      writeFileSync(other, JSON.stringify({ workspaces: [] }));
      for (const args of [[], ['--seed', other]]) {
        const child = await startChild(['--db', dbFile, '--quiet', ...args]);
        try {
          const reset = await call(child.base, 'POST', '/__admin/reset', { key: null });
          assert.equal(reset.status, 200, reset.text);
          assert.equal(
            (await call(child.base, 'GET', '/api/zapier/me', { key: token })).status,
            200,
          );
          const demo = await call(child.base, 'GET', '/api/zapier/me', { key: DEMO_KEYS.acme });
          assert.equal(demo.status, 401);
        } finally {
          child.process.kill('SIGTERM');
          assert.equal(await child.exited, 0);
        }
      }
    } finally {
      remove();
    }
  });

  test('--seed for an existing database says it was not loaded', async () => {
    const { dir, remove } = temporaryDirectory();
    const dbFile = path.join(dir, 'mock.sqlite');
    const example = path.join(REPO, 'examples', 'seed.json');
    try {
      const first = await startChild(['--db', dbFile, '--quiet']);
      first.process.kill('SIGTERM');
      assert.equal(await first.exited, 0);
      const second = await startChild(['--db', dbFile, '--quiet', '--seed', example]);
      second.process.kill('SIGTERM');
      assert.equal(await second.exited, 0);
      assert.match(second.output(), /seed\.json was not loaded: the database exists/);
      assert.match(second.output(), /demo key/);
    } finally {
      remove();
    }
  });

  test('a malformed key token in a seed names the record and the key rules', async () => {
    const { dir, remove } = temporaryDirectory();
    const seed = path.join(dir, 'seed.json');
    const token = 'chatting_live_qa_tooshort';
    writeFileSync(seed, JSON.stringify({ api_keys: [{ token, workspace_id: 'w' }] }));
    try {
      await assert.rejects(
        run(process.execPath, [MOCK_CLI, '--memory', '--seed', seed]),
        (error: { code: number; stderr: string }) => {
          assert.equal(error.code, 1);
          const rules = (schemaJson('entities/api-key') as ApiKeySchema).$defs.token;
          assert.ok(error.stderr.includes(`api_keys[0]: `), error.stderr);
          assert.ok(error.stderr.includes(rules['x-pattern-meaning']), error.stderr);
          assert.ok(!error.stderr.includes(token), 'the token is not echoed');
          return true;
        },
      );
    } finally {
      remove();
    }
  });

  test('a port in use is refused with a hint, and the process exits', async () => {
    const busy = await startChild(['--memory', '--quiet']);
    try {
      const port = new URL(busy.base).port;
      await assert.rejects(
        run(process.execPath, [MOCK_CLI, '--memory', '--port', port]),
        (error: { code: number; stderr: string }) => {
          assert.equal(error.code, 1);
          assert.match(error.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is in use`));
          assert.match(error.stderr, /--port <n>/);
          return true;
        },
      );
    } finally {
      busy.process.kill('SIGTERM');
      await busy.exited;
    }
  });

  test('a seed file with an invalid record is refused with a clear message', async () => {
    const { dir, remove } = temporaryDirectory();
    const seed = path.join(dir, 'seed.json');
    writeFileSync(seed, JSON.stringify({ contacts: [{ id: 'c1', email: 'not-an-email' }] }));
    try {
      await assert.rejects(
        run(process.execPath, [MOCK_CLI, '--memory', '--seed', seed]),
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
