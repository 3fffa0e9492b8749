/**
 * The compatibility guard. Each fixture in test/fixtures/compat/ is one kind of change, made with
 * JSON Patch (RFC 6902) to the 0.1.0 release snapshot, with the changes and the bump the guard
 * must report: nothing more, nothing less. Then the guard and the release command as a
 * maintainer runs them, in a copy of the repo.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyPatch, deepClone, type Operation } from 'fast-json-patch';
import {
  bumpBetween,
  compareReleases,
  requiredBump,
  type Bump,
} from '../../scripts/release/compatibility';
import type { Verdict } from '../../scripts/release/guard';
import { readSnapshot, type ReleaseSnapshot } from '../../scripts/release/snapshot';
import { copyRepo, type RepoCopy } from '../helpers/repo-copy';

interface Fixture {
  title: string;
  before?: Operation[];
  after: Operation[];
  needed: Bump | null;
  changes: { bump: Bump; where: string; what: string }[];
}

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'compat');
/** A case that compiles the app and runs npm scripts: minutes on a busy machine, not seconds. */
const SLOW = 300_000;
const released = readSnapshot('0.1.0');

const patched = (snapshot: ReleaseSnapshot, operations: Operation[] = []) =>
  applyPatch(deepClone(snapshot) as ReleaseSnapshot, operations, true).newDocument;

describe('each kind of change gets its bump', () => {
  const names = readdirSync(FIXTURES).filter((name) => name.endsWith('.json'));
  test('there are fixtures', () => assert.ok(names.length >= 20));
  for (const name of names) {
    const fixture = JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Fixture;
    test(`${name}: ${fixture.title}`, () => {
      const before = patched(released, fixture.before);
      const changes = compareReleases(before, patched(before, fixture.after));
      assert.deepEqual(
        changes.map(({ bump, where, what }) => ({ bump, where, what })),
        fixture.changes,
      );
      assert.equal(requiredBump(changes), fixture.needed);
      for (const change of changes) assert.ok(change.why.length > 0, 'every change says why');
    });
  }
});

test('a snapshot whose definition Zapier would not take is refused, naming what is wrong', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatting-snapshot-'));
  try {
    const write = (snapshot: unknown) =>
      writeFileSync(path.join(dir, '0.1.0.json'), JSON.stringify(snapshot));
    const refusal = (what: RegExp) => ({
      message: new RegExp(`0\\.1\\.0\\.json is not a release snapshot \\(${what.source}`),
    });
    write({ version: '0.1.0', definition: {}, triggerResults: {} });
    assert.throws(
      () => readSnapshot('0.1.0', dir),
      refusal(/its definition is not an app Zapier takes: instance requires property "version"/),
    );
    write(
      patched(released, [{ op: 'remove', path: '/definition/triggers/contact_created/operation' }]),
    );
    assert.throws(() => readSnapshot('0.1.0', dir), refusal(/its definition is not an app Zapier/));
    // Emptied results would leave a change to the triggers' ids unseen.
    write({ ...released, triggerResults: { ...released.triggerResults, contact_created: [] } });
    assert.throws(
      () => readSnapshot('0.1.0', dir),
      refusal(
        /triggerResults has no deliveries with their ids for the hook trigger contact_created\)/,
      ),
    );
    write({ ...released, triggerResults: {} });
    assert.throws(
      () => readSnapshot('0.1.0', dir),
      refusal(/triggerResults has no deliveries .* for the hook triggers .*, /),
    );
    for (const thin of [[{ payload: {}, id: null }], [{}], [{ payload: { a: 1 }, id: 7 }]]) {
      write({ ...released, triggerResults: { ...released.triggerResults, contact_created: thin } });
      assert.throws(() => readSnapshot('0.1.0', dir), refusal(/triggerResults has no deliveries/));
    }
    write(released);
    assert.deepEqual(readSnapshot('0.1.0', dir), released);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bump is read the way Zapier reads it: by the number that grew', () => {
  assert.equal(bumpBetween('0.1.0', '1.0.0'), 'major');
  assert.equal(bumpBetween('0.1.0', '0.2.0'), 'minor');
  assert.equal(bumpBetween('0.1.0', '0.1.1'), 'patch');
  assert.equal(bumpBetween('1.4.2', '1.5.0'), 'minor');
  assert.equal(bumpBetween('1.4.2', '1.4.2'), 'none');
  assert.equal(bumpBetween('1.4.2', '1.3.9'), 'backwards');
  // A prerelease's own release completes the bump it was labelled for.
  assert.equal(bumpBetween('0.2.0-beta', '0.2.0'), 'minor');
  assert.equal(bumpBetween('1.0.0-rc.1', '1.0.0'), 'major');
  assert.equal(bumpBetween('0.1.0', '0.2.0-beta'), 'minor');
  assert.equal(bumpBetween('0.2.0-beta', '0.2.0-beta.2'), 'patch');
});

describe('npm run zapier:compat and npm run release, in a copy of the repo', () => {
  let repo: RepoCopy;
  beforeAll(async () => {
    repo = copyRepo('chatting-compat-');
    // What the tests change is all the guard sees, whatever the repo has (not) released.
    await repo.releaseAs('0.1.0');
  }, 60_000);
  afterAll(() => repo?.remove());

  const setVersion = async (version: string) => {
    const outcome = await repo.run('npm', ['version', version, '--no-git-tag-version']);
    assert.equal(outcome.code, 0, outcome.stderr);
  };
  /** `npm run zapier:compat` as a maintainer runs it: compile, then the guard. */
  const guard = () => repo.run('npm', ['run', '--silent', 'zapier:compat']);
  /** A git command in the copy, as a committer of its own; it must succeed. */
  const git = async (...args: string[]) => {
    const outcome = await repo.run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);
    assert.equal(outcome.code, 0, outcome.stderr);
  };
  /** A script of the copy, run as its package.json runs them: Node with tsx's loader. */
  const runScript = (...args: string[]) => repo.run(process.execPath, ['--import', 'tsx', ...args]);
  /** The guard alone, when only package.json's version changed since the last compile. */
  const guardCompiled = () => runScript('scripts/zapier-compat.ts');
  const readJson = <T>(file: string) =>
    JSON.parse(readFileSync(path.join(repo.dir, file), 'utf8')) as T;
  const CREATE_CONTACT = 'src/creates/create-contact.ts';
  const PHONE_FIELD = /\n\s*\{\n\s*key: 'phone',[^}]*\},/;

  test(
    'removing an input field and bumping the patch fails and names the field; a major passes',
    async () => {
      const original = readFileSync(path.join(repo.dir, CREATE_CONTACT), 'utf8');
      repo.edit(CREATE_CONTACT, (text) => text.replace(PHONE_FIELD, ''));
      await setVersion('0.1.1');
      const patch = await guard();
      assert.equal(patch.code, 1, patch.stdout);
      assert.match(patch.stderr, /create create_contact › input field phone \("Phone"\): removed/);
      assert.match(patch.stderr, /need a major release.*0\.1\.1, a patch after 0\.1\.0: too small/);
      // For a program, the same verdict as JSON on stdout, refusal or not.
      const patchJson = await runScript('scripts/zapier-compat.ts', '--json');
      assert.equal(patchJson.code, 1, patchJson.stderr);
      const verdict = JSON.parse(patchJson.stdout) as Verdict;
      assert.equal(verdict.ok, false);
      assert.equal(verdict.needed, 'major');
      assert.ok(
        verdict.changes.some(
          ({ where, what }) => /input field phone/.test(where) && what === 'removed',
        ),
      );

      await setVersion('1.0.0');
      const major = await guardCompiled();
      assert.equal(major.code, 0, major.stderr);
      assert.match(major.stdout, /1\.0\.0, a major after 0\.1\.0: enough/);

      // Back as it was, for the next case.
      repo.edit(CREATE_CONTACT, () => original);
    },
    SLOW,
  );

  test(
    'an id derived differently only for some values (a tag lower-cased) needs a major',
    async () => {
      const EVENTS = 'src/events.ts';
      const original = readFileSync(path.join(repo.dir, EVENTS), 'utf8');
      repo.edit(EVENTS, (text) =>
        text.replace(
          '.map((key): unknown => Reflect.get(payload, key))',
          ".map((key): unknown => { const value = Reflect.get(payload, key); return key === 'data__tag' && typeof value === 'string' ? value.toLowerCase() : value; })",
        ),
      );
      await setVersion('0.2.0');
      const minor = await guard();
      assert.equal(minor.code, 1, minor.stdout);
      assert.match(
        minor.stderr,
        /trigger tag_added › result id: "tag\.added:CONV_ABC123:VIP:[^"]*" → "tag\.added:CONV_ABC123:vip:/,
      );
      repo.edit(EVENTS, () => original);
      await setVersion('0.1.0');
    },
    SLOW,
  );

  test(
    'a new optional field needs only a minor',
    async () => {
      repo.edit(CREATE_CONTACT, (text) =>
        text.replace(
          /\n(\s*)deduplicationKeyField\(\),/,
          "\n$1{ key: 'nickname', label: 'Nickname', required: false, helpText: 'What they like to be called.' },$&",
        ),
      );
      await setVersion('0.1.1');
      // The build compiles first, and what it prints stays off stdout: the verdict's JSON alone
      // (test/foundation/build.test.ts: everything a build prints goes to stderr).
      const json = await repo.run('npm', ['run', '-s', 'zapier:compat', '--', '--json']);
      assert.equal(json.code, 1, json.stderr);
      assert.equal((JSON.parse(json.stdout) as Verdict).needed, 'minor');
      const patch = await guardCompiled();
      assert.equal(patch.code, 1, patch.stdout);
      assert.match(patch.stderr, /input field nickname \("Nickname"\): added, optional/);
      assert.doesNotMatch(patch.stderr, /MAJOR/);
      await setVersion('0.2.0');
      const minor = await guardCompiled();
      assert.equal(minor.code, 0, minor.stderr);
    },
    SLOW,
  );

  test(
    'unchanged version: says which bump the next release needs, and passes',
    async () => {
      await setVersion('0.1.0');
      const same = await guardCompiled();
      assert.equal(same.code, 0, same.stderr);
      assert.match(same.stdout, /next release needs a minor bump: 0\.2\.0/);
      // As the README gives it: the compile first (nothing to do here), and JSON only on stdout.
      const json = await repo.run('npm', ['run', '-s', 'zapier:compat', '--', '--json']);
      assert.equal(json.code, 0, json.stderr);
      assert.equal((JSON.parse(json.stdout) as { ok: boolean }).ok, true);
    },
    SLOW,
  );

  test(
    'release refuses too small a bump, then releases a minor: version, changelog, snapshot, steps',
    async () => {
      // The sources are compiled (the guard just ran), so the script runs without npm's compile.
      const release = (bump: string) => runScript('scripts/release.ts', bump);
      const refused = await release('patch');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /need a minor release \(0\.2\.0\); 0\.1\.1 is a patch/);
      assert.equal(readJson<{ version: string }>('package.json').version, '0.1.0');

      const done = await release('minor');
      assert.equal(done.code, 0, done.stderr);
      assert.equal(readJson<{ version: string }>('package.json').version, '0.2.0');
      assert.equal(readJson<{ version: string }>('package-lock.json').version, '0.2.0');
      const changelog = readFileSync(path.join(repo.dir, 'CHANGELOG.md'), 'utf8');
      const section = changelog.slice(changelog.indexOf('## 0.2.0'), changelog.indexOf('## 0.1.0'));
      assert.match(
        section,
        /^- create create_contact › input field nickname \("Nickname"\): added, optional\.$/m,
      );
      assert.ok(changelog.indexOf('## 0.2.0') < changelog.indexOf('## 0.1.0'), 'newest first');
      const snapshot = readJson<ReleaseSnapshot>('releases/0.2.0.json');
      assert.equal(snapshot.definition.version, '0.2.0');
      assert.match(JSON.stringify(snapshot.definition), /"key":"nickname"/);
      assert.match(done.stdout, /npx zapier-platform promote 0\.2\.0/);
      assert.match(done.stdout, /migrate 0\.1\.0 0\.2\.0 100%.*only within a major version/);

      const after = await guardCompiled();
      assert.equal(after.code, 0, after.stderr);
      assert.match(after.stdout, /Nothing changed since 0\.2\.0/);
    },
    SLOW,
  );

  test(
    'release names the uncommitted changes it took in, and says nothing on a committed tree',
    async () => {
      await git('init', '-q');
      await git('add', '-A');
      await git('commit', '-qm', 'as released');
      const dryRun = () => runScript('scripts/release.ts', 'patch', '--dry-run');

      const clean = await dryRun();
      assert.equal(clean.code, 0, clean.stderr);
      assert.doesNotMatch(clean.stdout, /uncommitted/);

      repo.edit('README.md', (text) => `${text}\nWork in progress.\n`);
      const dirty = await dryRun();
      assert.equal(dirty.code, 0, dirty.stderr);
      assert.match(
        dirty.stdout,
        /Note: the tree had uncommitted changes \(README\.md\)\. They would be part of 0\.2\.1/,
      );
      assert.doesNotMatch(dirty.stdout, /git checkout/, 'nothing that would throw them away');
      assert.match(dirty.stdout, /Would release 0\.2\.1/);
      // A refused release took nothing in, and says nothing of them.
      const refused = await runScript('scripts/release.ts', '0.2.0', '--dry-run');
      assert.equal(refused.code, 1);
      assert.doesNotMatch(refused.stdout, /Note:/);
      // A labelled version is for testers: Zapier promotes none, so no promote and no migrate.
      const labelled = await runScript('scripts/release.ts', '0.3.0-beta', '--dry-run');
      assert.equal(labelled.code, 0, labelled.stderr);
      assert.match(labelled.stdout, /users:add <email> 0\.3\.0-beta/);
      assert.doesNotMatch(labelled.stdout, /zapier-platform (promote|migrate)/);
      // It says what it would write and what would follow, and writes nothing.
      assert.match(dirty.stdout, /releases\/0\.2\.1\.json would be its definition snapshot/);
      assert.match(dirty.stdout, /npx zapier-platform promote 0\.2\.1/);
      assert.ok(!existsSync(path.join(repo.dir, 'releases', '0.2.1.json')));
    },
    SLOW,
  );

  test(
    'release takes a version bumped by hand first, and `current` is held to the same guard',
    async () => {
      // The sources are as released (0.2.0) but for README.md: a patch is enough.
      await setVersion('0.2.1');
      const patch = await runScript('scripts/release.ts', 'patch');
      assert.equal(patch.code, 0, patch.stderr);
      assert.equal(readJson<ReleaseSnapshot>('releases/0.2.1.json').definition.version, '0.2.1');
      assert.match(readFileSync(path.join(repo.dir, 'CHANGELOG.md'), 'utf8'), /^## 0\.2\.1$/m);

      // Until 0.2.1's snapshot is committed, its release is not finished: no second one on top,
      // and a guard that finds package.json older than it says the snapshot may be a left-over.
      const again = await runScript('scripts/release.ts', 'patch', '--dry-run');
      assert.equal(again.code, 1, again.stdout);
      assert.match(again.stderr, /releases\/0\.2\.1\.json is not committed: the 0\.2\.1 release/);
      await setVersion('0.2.0');
      const older = await guardCompiled();
      assert.equal(older.code, 1, older.stdout);
      assert.match(
        older.stderr,
        /older than the released 0\.2\.1\. releases\/0\.2\.1\.json is not committed/,
      );
      await setVersion('0.2.1');
      await git('add', '-A');
      await git('commit', '-qm', 'release 0.2.1');

      // A removed field needs a major: recording 0.2.2 as released is releasing it, refused.
      repo.edit(CREATE_CONTACT, (text) => text.replace(PHONE_FIELD, ''));
      await setVersion('0.2.2');
      const current = await repo.run('npm', ['run', '--silent', 'release', '--', 'current']);
      assert.equal(current.code, 1, current.stdout);
      assert.match(current.stdout, /input field phone \("Phone"\): removed/);
      assert.match(current.stderr, /Refused: .*need a major release/);
      assert.ok(!existsSync(path.join(repo.dir, 'releases', '0.2.2.json')));
    },
    SLOW,
  );

  test(
    'a version Zapier does not take, a lost or broken snapshot, and a bump over a hand-set version are refused',
    async () => {
      // As the case above left the copy: 0.2.1 released, package.json 0.2.2 (a field removed).
      const release = (...args: string[]) => runScript('scripts/release.ts', ...args);
      const snapshot = path.join(repo.dir, 'releases', '0.2.1.json');
      const kept = readFileSync(snapshot, 'utf8');

      const tooLong = await release('1000.0.0');
      assert.equal(tooLong.code, 1);
      assert.match(tooLong.stderr, /1000\.0\.0 is not a version Zapier takes/);
      await setVersion('1.0.0-beta.1');
      const labelled = await guardCompiled();
      assert.equal(labelled.code, 1, labelled.stdout);
      assert.match(labelled.stderr, /"1\.0\.0-beta\.1" is not one Zapier takes/);
      const releasedAnyway = await release('current');
      assert.equal(releasedAnyway.code, 1);
      assert.ok(!existsSync(path.join(repo.dir, 'releases', '1.0.0-beta.1.json')));
      await setVersion('0.2.2');

      // 0.2.1's snapshot committed, then lost: the guard would check against 0.2.0.
      await git('add', '-A');
      await git('commit', '-qm', '0.2.2 with phone removed');
      rmSync(snapshot);
      const lost = await guardCompiled();
      assert.equal(lost.code, 1, lost.stdout);
      assert.match(lost.stderr, /releases\/0\.2\.1\.json is in git's HEAD but not in releases\//);
      const releasedWithout = await release('patch', '--dry-run');
      assert.equal(releasedWithout.code, 1, releasedWithout.stdout);
      writeFileSync(snapshot, '');
      const broken = await runScript('scripts/zapier-compat.ts', '--json');
      assert.equal(broken.code, 1);
      assert.match(
        (JSON.parse(broken.stdout) as Verdict).summary,
        /releases\/0\.2\.1\.json is not a release snapshot/,
      );
      writeFileSync(snapshot, kept);

      // 0.2.2 was set by hand; a minor from 0.2.1 would silently make it 0.3.0.
      const replaced = await release('minor');
      assert.equal(replaced.code, 1);
      assert.match(replaced.stderr, /package\.json says 0\.2\.2, set after the released 0\.2\.1/);
      assert.equal(readJson<{ version: string }>('package.json').version, '0.2.2');

      // A project that never released (no snapshot in git or on disk, whatever CHANGELOG.md
      // says): the first release goes through, from the version set by hand.
      await git('rm', '-rq', 'releases');
      await git('commit', '-qm', 'no releases');
      const first = await release('current');
      assert.equal(first.code, 0, first.stderr);
      assert.ok(existsSync(path.join(repo.dir, 'releases', '0.2.2.json')));
    },
    SLOW,
  );
});
