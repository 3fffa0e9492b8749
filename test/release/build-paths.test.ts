/**
 * Every way a maintainer builds or ships the app compiles the current src/ and carries the
 * version of the root package.json. In a copy of the repo whose dist/ is the old app, each path
 * gets its own version bump and its own label change, then what it produced is read back: the
 * definition Zapier's integration checks were sent (`validate`, and `test`, which validates
 * first), the definition.json of the zip Zapier received (`push`, `npm run zapier:push`, which
 * is `zapier:build` then `upload`) and the app the tests of `zapier-platform test` loaded.
 *
 * `zapier-platform build` is `push` without the upload (one function of the CLI builds for
 * both), so the push case covers it; `zapier-platform test` runs the CLI's `validate` command
 * before the tests (and _zapier-build before that), so the test case covers `validate`: the
 * fake Zapier sees that validation, and each path costs a compile and a CLI start. Bare `build`/`push`, without --skip-dep-install, copy
 * node_modules to a temporary folder and fail with EMFILE on a tree this size (zapier-platform
 * issue #820; see the README): nothing stale can be uploaded that way, nothing at all can. A bare
 * `upload` runs no script at all: `npm version` and every compile remove the zips it would send.
 */
import assert from 'node:assert/strict';
import AdmZip from 'adm-zip';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  FAKE_APP_ID,
  startFakeZapier,
  type AppDefinition,
  type FakeZapier,
} from '../helpers/fake-zapier';
import { copyRepo, type Outcome, type RepoCopy } from '../helpers/repo-copy';

let repo: RepoCopy;
let zapier: FakeZapier;

const TRIGGER_FILE = 'src/triggers/conversation-created.ts';
/** Each case compiles the app and runs a zapier-platform command: minutes on a busy machine. */
const SLOW = 300_000;

beforeAll(async () => {
  repo = copyRepo('chatting-build-paths-');
  zapier = await startFakeZapier();
  // What the tests change is all the guard sees, whatever the repo has (not) released.
  await repo.releaseAs('0.1.0');
  // The app id `zapier-platform register` would have written.
  writeFileSync(
    path.join(repo.dir, '.zapierapprc'),
    JSON.stringify({
      id: FAKE_APP_ID,
      key: 'App4242',
      includeInBuild: ['node_modules/[^/]+/require\\.mjs$'],
    }),
  );
  // What `zapier-platform test` runs: the app as its tests load it.
  mkdirSync(path.join(repo.dir, 'src', 'test'), { recursive: true });
  writeFileSync(
    path.join(repo.dir, 'src', 'test', 'release-probe.test.js'),
    [
      "const App = require('../../index.js');",
      "test('the tests load the current app', () => {",
      '  expect(App.version).toBe(process.env.EXPECTED_VERSION);',
      '  expect(App.triggers.conversation_created.display.label).toBe(process.env.EXPECTED_LABEL);',
      '});',
      '',
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => {
  await zapier?.close();
  repo?.remove();
});

interface Release {
  version: string;
  label: string;
}

/** A maintainer's change: `npm version <version>` and a new label on New Conversation. */
async function change(version: string, tag: string): Promise<Release> {
  const args = ['version', version, '--no-git-tag-version', '--allow-same-version'];
  const bumped = await repo.run('npm', args);
  assert.equal(bumped.code, 0, bumped.stderr);
  const label = `New Conversation ${tag}`;
  repo.edit(TRIGGER_FILE, (text) =>
    text.replace(/label: 'New Conversation[^']*'/, `label: '${label}'`),
  );
  return { version, label };
}

function assertShows(definition: AppDefinition | undefined, expected: Release, path: string) {
  assert.ok(definition, `${path}: no definition`);
  assert.equal(definition.version, expected.version, `${path}: version`);
  assert.equal(
    definition.triggers.conversation_created.display.label,
    expected.label,
    `${path}: label`,
  );
}

const zapierCli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> =>
  repo.run('npx', ['zapier-platform', ...args], { ...zapier.env, ...env });

const report = ({ stdout, stderr }: Outcome) => `${stdout}\n${stderr}`;

/**
 * A zapier-platform build that ends by loading the zip's app (its "Testing build" step) gives
 * that load 5 s, hard-coded in the CLI; on a machine busy enough it is killed and the command
 * fails with an empty error. That one failure is the CLI's clock, not the app: run it once more.
 */
async function zapierBuildCli(args: string[]): Promise<Outcome> {
  const outcome = await zapierCli(args);
  const killedWhileTesting = /Testing build[\s\S]*Error:\s*(\n|$)/.test(report(outcome));
  return outcome.code !== 0 && killedWhileTesting ? zapierCli(args) : outcome;
}

test(
  'npx zapier-platform test (and so validate): validates and tests the current app',
  async () => {
    const expected = await change('0.1.1', 'Test Path');
    const checksBefore = zapier.checked.length;
    const outcome = await zapierCli(['test', '--', '--', 'src/test/release-probe'], {
      EXPECTED_VERSION: expected.version,
      EXPECTED_LABEL: expected.label,
    });
    assert.equal(outcome.code, 0, report(outcome));
    assert.equal(zapier.checked.length, checksBefore + 1, 'validate sent its definition once');
    assertShows(zapier.checked.at(-1), expected, 'validate');
  },
  SLOW,
);

test(
  'npx zapier-platform push --skip-dep-install: uploads the current app as its version',
  async () => {
    const expected = await change('0.2.0', 'Push Path');
    const outcome = await zapierBuildCli(['push', '--skip-dep-install']);
    assert.equal(outcome.code, 0, report(outcome));
    const upload = zapier.uploads.at(-1);
    assert.equal(upload?.version, expected.version);
    assertShows(upload?.definition, expected, 'push');
  },
  SLOW,
);

test(
  'npm run zapier:push: the slim build of the current app, uploaded as its version',
  async () => {
    const expected = await change('0.2.1', 'Npm Push Path');
    const outcome = await repo.run('npm', ['run', 'zapier:push'], zapier.env);
    assert.equal(outcome.code, 0, report(outcome));
    const upload = zapier.uploads.at(-1);
    assert.equal(upload?.version, expected.version);
    assertShows(upload?.definition, expected, 'zapier:push');
    // The staged build: no dev dependency, no mock server.
    assert.ok(!upload.files.some((file) => file.startsWith('dist/mock-server/')));
    assert.ok(!upload.files.some((file) => file.startsWith('node_modules/typescript/')));
    // zapier:build left the same zip in build/, and upload sent it.
    const built = new AdmZip(path.join(repo.dir, 'build', 'build.zip'));
    assertShows(
      JSON.parse(built.readAsText('definition.json')) as AppDefinition,
      expected,
      'zapier:build',
    );
  },
  SLOW,
);

test(
  'npx zapier-platform upload on its own: never the zip of an older version or older sources',
  async () => {
    // The upload runs no script, so it cannot compile: what it must not find is a stale zip.
    const zip = path.join(repo.dir, 'build', 'build.zip');
    assert.ok(existsSync(zip), 'zapier:push above left its zip in build/');
    const uploads = zapier.uploads.length;
    const bumped = await repo.run('npm', ['version', '0.2.2', '--no-git-tag-version']);
    assert.equal(bumped.code, 0, bumped.stderr);
    assert.ok(!existsSync(zip), 'npm version discarded the zip of 0.2.1');
    const outcome = await zapierCli(['upload']);
    assert.notEqual(outcome.code, 0);
    assert.match(report(outcome), /Missing a built integration/);
    assert.equal(zapier.uploads.length, uploads, 'nothing was uploaded');
    // A label changed after a build: the next compile (any command's) discards that build's zip.
    writeFileSync(zip, 'the zip of the sources before the edit');
    repo.edit(TRIGGER_FILE, (text) =>
      text.replace(/label: 'New Conversation[^']*'/, "label: 'New Conversation Edited'"),
    );
    const built = await repo.run('npm', ['run', 'build']);
    assert.equal(built.code, 0, built.stderr);
    assert.ok(!existsSync(zip), 'the compile discarded the zip of the old sources');
  },
  SLOW,
);

test(
  'a bump too small for the changes stops every zapier-platform path before anything is built',
  async () => {
    // The guard (npm run zapier:compat) runs in _zapier-build.
    repo.edit('src/creates/create-contact.ts', (text) =>
      text.replace(/\n\s*\{\n\s*key: 'phone',[^}]*\},/, ''),
    );
    await change('0.2.3', 'Guarded');
    const uploads = zapier.uploads.length;
    const outcome = await zapierCli(['push', '--skip-dep-install']);
    assert.notEqual(outcome.code, 0);
    assert.match(report(outcome), /input field phone \("Phone"\): removed/);
    assert.match(report(outcome), /need a major release/);
    // The recommended path builds in a staged folder without scripts and uploads with a command
    // that runs none: it runs the guard itself.
    const npmPush = await repo.run('npm', ['run', 'zapier:push'], zapier.env);
    assert.notEqual(npmPush.code, 0);
    assert.match(report(npmPush), /need a major release/);
    assert.equal(zapier.uploads.length, uploads, 'nothing was uploaded');
  },
  SLOW,
);

test(
  'a push of the released version with a changed app is refused; validating it is not',
  async () => {
    // After the cases above the copy differs from the 0.1.0 release (a label, a removed field).
    await change('0.1.0', 'Unreleased');
    const uploads = zapier.uploads.length;
    const push = await zapierCli(['push', '--skip-dep-install']);
    assert.notEqual(push.code, 0);
    assert.match(report(push), /still the released 0\.1\.0, but the app has changed since/);
    const npmPush = await repo.run('npm', ['run', 'zapier:push'], zapier.env);
    assert.notEqual(npmPush.code, 0);
    assert.match(report(npmPush), /Uploading it would replace 0\.1\.0/);
    // A bare build makes the zip a bare upload would send, and the CLI would hide a warning.
    const build = await zapierCli(['build', '--skip-dep-install', '--skip-validation']);
    assert.notEqual(build.code, 0);
    assert.match(report(build), /still the released 0\.1\.0, but the app has changed since/);
    assert.equal(zapier.uploads.length, uploads, 'nothing was uploaded');
    // Checking work in progress stays possible: the guard only says what the next release needs.
    const validate = await zapierCli(['validate', '--without-style']);
    assert.equal(validate.code, 0, report(validate));
  },
  SLOW,
);
