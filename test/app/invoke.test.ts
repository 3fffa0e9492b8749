/**
 * The README's maintainer workflow, as written: with the mock running, `zapier-platform invoke`
 * runs the app's auth test, its label and a create against it. Runs the real Zapier CLI (on
 * Node 22, offline) against a mock child process on an ephemeral port.
 *
 * invoke loads `.env` from its working folder over the environment, so it runs in a folder of its
 * own that links to the built app: a maintainer's `.env` never redirects it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO, startChild, type Child } from '../helpers/child';
import { DEMO_KEYS } from '../helpers/mock';

const run = promisify(execFile);
const ZAPIER = path.join(REPO, 'node_modules', 'zapier-platform-cli', 'src', 'bin', 'run');
let mock: Child;
let appFolder: string;

beforeAll(async () => {
  appFolder = mkdtempSync(path.join(tmpdir(), 'chatting-invoke-'));
  for (const entry of ['package.json', 'index.js', 'dist', 'node_modules']) {
    symlinkSync(path.join(REPO, entry), path.join(appFolder, entry));
  }
  mock = await startChild(['--memory', '--quiet']);
});
afterAll(async () => {
  mock.process.kill('SIGTERM');
  await mock.exited;
  rmSync(appFolder, { recursive: true, force: true });
});

function invoke(...args: string[]) {
  return run(process.execPath, [ZAPIER, 'invoke', ...args, '--non-interactive'], {
    cwd: appFolder,
    timeout: 60_000,
    env: {
      ...process.env,
      DISABLE_ZAPIER_ANALYTICS: '1',
      CHATTING_BASE_URL: `${mock.base}/api/zapier`,
      authData_api_key: DEMO_KEYS.acme,
    },
  });
}

describe('zapier-platform invoke against the mock', () => {
  test('auth test answers the demo workspace', async () => {
    const { stdout } = await invoke('auth', 'test');
    assert.match(stdout, /"team_name": "Acme Team"/);
  });

  test('auth label renders the connection label', async () => {
    const { stdout } = await invoke('auth', 'label');
    assert.match(stdout, /^Acme Team \(owner@example\.com\)$/m);
  });

  test('trigger conversation_created shows recent events of the demo workspace', async () => {
    const { stdout } = await invoke('trigger', 'conversation_created');
    assert.match(stdout, /"data__conversation_id": "conv_124"/);
  });

  test('trigger tag_added with a Tag shows the newest event of that tag, not an empty list', async () => {
    // The demo data's newest tag.added is another tag: limit=1 alone would leave nothing.
    const { stdout } = await invoke('trigger', 'tag_added', '-i', JSON.stringify({ tag: 'vip' }));
    assert.match(stdout, /"data__tag": "vip"/);
    assert.doesNotMatch(stdout, /"data__tag": "(?!vip")/);
  });

  test('create create_contact creates a contact', async () => {
    const { stdout } = await invoke(
      'create',
      'create_contact',
      '-i',
      JSON.stringify({ email: 'invoked@example.com' }),
    );
    assert.match(stdout, /"id": "contact_[0-9a-f]+"/);
  });
});
