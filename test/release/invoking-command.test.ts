/**
 * How the guard in `_zapier-build` learns which zapier-platform command runs it: from the
 * command lines of its ancestors, whatever their length, terminal width or way of starting.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandAbove } from '../../scripts/release/invoking-command';

const MODULE = path.join(__dirname, '..', '..', 'scripts', 'release', 'invoking-command.ts');

/** What a process whose own command line ends in `words` finds above (itself included). */
function foundBy(words: string[], env: NodeJS.ProcessEnv = {}): CommandAbove {
  const script = `const { zapierCommandAbove } = require(${JSON.stringify(MODULE)});
    process.stdout.write(JSON.stringify(zapierCommandAbove(process.pid)));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script, '--', ...words], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out) as CommandAbove;
}

test('the command word after the CLI, however the CLI was started', () => {
  const deep = `/${'a-long-folder/'.repeat(20)}node_modules/.bin/zapier-platform`;
  assert.deepEqual(foundBy([deep, 'push', '--skip-dep-install'], { COLUMNS: '80' }), {
    command: 'push',
  });
  const file = '/repo/node_modules/zapier-platform-cli/src/bin/run';
  assert.deepEqual(foundBy([file, 'upload']), { command: 'upload' });
  assert.deepEqual(foundBy(['zapier-platform', 'validate']), { command: 'validate' });
  assert.equal(foundBy(['npm', 'run', '_zapier-build']), 'none');
});

test('without ps, nothing can be told', () => {
  const bin = mkdtempSync(path.join(tmpdir(), 'chatting-no-ps-'));
  try {
    writeFileSync(path.join(bin, 'ps'), '#!/bin/sh\nexit 127\n', { mode: 0o755 });
    const env = { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };
    assert.equal(foundBy(['zapier-platform', 'push'], env), 'unknown');
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});
