/**
 * The README's maintainer workflow, as written: with the mock running, `zapier-platform invoke`
 * runs the app's auth test, its label and a create against it. Runs the real Zapier CLI (on
 * Node 22, offline) against a mock child process on an ephemeral port.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { REPO, startChild, type Child } from '../helpers/child';
import { DEMO_KEYS } from '../helpers/mock';

const run = promisify(execFile);
const ZAPIER = path.join(REPO, 'node_modules', 'zapier-platform-cli', 'src', 'bin', 'run');
let mock: Child;

before(async () => {
  mock = await startChild(['--memory', '--quiet']);
});
after(async () => {
  mock.process.kill('SIGTERM');
  await mock.exited;
});

function invoke(...args: string[]) {
  return run(process.execPath, [ZAPIER, 'invoke', ...args, '--non-interactive'], {
    cwd: REPO,
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
