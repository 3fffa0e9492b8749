/**
 * `zapier-platform scaffold` writes a test beside what it generates; that test must run in the
 * project's runner as written. Scaffolds a trigger in a copy of the project (the real CLI, on
 * Node 22, offline) and runs jest there: the generated test must load and reach the request its
 * template makes (which fails here, with no internet), not stop at an import or a syntax error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../helpers/child';

const run = promisify(execFile);
const BIN = path.join(REPO, 'node_modules', '.bin');
const COPIED = [
  'package.json',
  'index.js',
  'jest.config.js',
  'tsconfig.json',
  'src',
  'schemas',
  'test/setup',
  'test/helpers',
  // jest's environment (test/setup/environment.ts) loads node:sqlite through the mock's loader.
  'mock-server',
];

let copy: string;

beforeAll(() => {
  copy = mkdtempSync(path.join(tmpdir(), 'chatting-scaffold-'));
  for (const entry of COPIED) {
    cpSync(path.join(REPO, entry), path.join(copy, entry), {
      recursive: true,
      filter: (source) => !source.includes(`${path.sep}generated`),
    });
  }
  symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'));
});
afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

test('a scaffolded trigger’s test runs unchanged under jest', async () => {
  const env = {
    ...process.env,
    PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}`,
    DISABLE_ZAPIER_ANALYTICS: '1',
    NODE_ENV: 'test',
  };
  await run('zapier-platform', ['scaffold', 'trigger', 'widget'], {
    cwd: copy,
    env,
    timeout: 60_000,
  });
  const written = path.join(copy, 'src', 'test', 'triggers', 'widget.test.ts');
  assert.ok(existsSync(written), 'scaffold wrote no test where expected');

  const outcome = await run('jest', ['--ci', 'src/test'], {
    cwd: copy,
    env,
    timeout: 60_000,
  }).then(
    () => ({ code: 0, output: '' }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      output: `${error.stdout}${error.stderr}`,
    }),
  );
  assert.equal(outcome.code, 1, outcome.output);
  assert.match(outcome.output, /✕ should run/);
  assert.match(outcome.output, /request to https:\/\/jsonplaceholder\.typicode\.com\/posts/);
  assert.doesNotMatch(outcome.output, /Cannot find module|SyntaxError|Test suite failed to run/);
});
