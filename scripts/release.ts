/**
 * npm run release -- <major|minor|patch|x.y.z> [--dry-run]
 * npm run release -- current
 *
 * Prepares a release of the Zapier app in the repo: refuses a bump smaller than the compatibility
 * guard says the changes need, bumps package.json (and package-lock.json, through `npm version`),
 * opens a CHANGELOG.md section for the version, writes its definition snapshot to
 * releases/<version>.json, and prints the upload → promote → migrate steps. Nothing is uploaded.
 * Names, after it, the uncommitted changes the release took in.
 *
 * `current` releases package.json's version as it is, without a bump: the first snapshot of an
 * app that was released before the guard existed, one that was lost, or a version set by hand.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import semver from 'semver';
import { bumpBetween, isEnough, type Bump, type Change } from './release/compatibility';
import { assess, describeChanges } from './release/guard';
import {
  isCommitted,
  isZapierVersion,
  packageVersion,
  releasedVersions,
  releaseFile,
  REPO,
  takeSnapshot,
  writeSnapshot,
  ZAPIER_VERSION_RULE,
} from './release/snapshot';

const USAGE = `Usage: npm run release -- <major|minor|patch|x.y.z> [--dry-run]
       npm run release -- current      release package.json's version as it is (no bump)`;

const BUMPS: Bump[] = ['major', 'minor', 'patch'];
const CHANGELOG = path.join(REPO, 'CHANGELOG.md');

class ReleaseRefused extends Error {}

function targetVersion(request: string, base: string): string {
  const version = (BUMPS as string[]).includes(request)
    ? semver.inc(base, request as Bump)
    : semver.valid(request);
  if (!version) throw new ReleaseRefused(`"${request}" is neither a bump nor a version.\n${USAGE}`);
  if (!isZapierVersion(version)) {
    throw new ReleaseRefused(`${version} is not a version Zapier takes: ${ZAPIER_VERSION_RULE}.`);
  }
  return version;
}

/** A draft of the release notes: what Zap users can notice (patch-level wording is left out). */
function draftNotes(changes: Change[]): string {
  const noticeable = changes.filter((change) => change.bump !== 'patch');
  const lines = noticeable.length
    ? noticeable.map(({ where, what }) => `- ${where}: ${what}.`)
    : ['- Wording and fixes; nothing a Zap has to change for.'];
  return lines.join('\n');
}

/** Whether CHANGELOG.md has a `## version` section already (a maintainer may write it first). */
function hasChangelogSection(version: string): boolean {
  const text = readFileSync(CHANGELOG, 'utf8');
  return new RegExp(`^## ${version.replaceAll('.', '\\.')}\\s*$`, 'm').test(text);
}

/** Adds `## version`, with `notes`, above the newest section. */
function openChangelogSection(version: string, notes: string): void {
  const text = readFileSync(CHANGELOG, 'utf8');
  const section = `## ${version}\n\n${notes}\n\n`;
  const first = text.search(/^## /m);
  writeFileSync(
    CHANGELOG,
    first < 0
      ? `${text.trimEnd()}\n\n${section}`
      : text.slice(0, first) + section + text.slice(first),
  );
}

/** Sets the version; package.json may say it already (a maintainer's `npm version` first). */
function npmVersion(version: string): void {
  const args = ['version', version, '--no-git-tag-version', '--allow-same-version'];
  const result = spawnSync('npm', args, {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`npm version ${version} failed:\n${result.stderr}`);
}

/**
 * What follows a release. Zaps move from the version live before it: the newest released one
 * without a label (a labelled one, `0.2.0-beta`, is never promoted), and, within a major, from a
 * labelled one since, where its testers' Zaps are.
 */
function nextSteps(to: string): string {
  const before = releasedVersions().filter((version) => semver.lt(version, to));
  const live = before.filter((version) => !semver.prerelease(version)).at(-1) ?? null;
  const labelled = before.filter(
    (version) => semver.prerelease(version) && (!live || semver.gt(version, live)),
  );
  const steps = [
    'Next:',
    `  $EDITOR CHANGELOG.md              # the "## ${to}" section becomes the release notes`,
    '  npm test',
    `  git add -A && git commit -m "Release ${to}"   # the snapshot checks the next release`,
    `  npm run zapier:push               # compiles, builds build.zip, uploads ${to}`,
  ];
  if (semver.prerelease(to)) {
    return [
      ...steps,
      `  npx zapier-platform users:add <email> ${to}   # testers: Zapier promotes no labelled version`,
    ].join('\n');
  }
  steps.push(`  npx zapier-platform promote ${to}`);
  if (live === null) steps.push('  (no earlier version to migrate from)');
  else if (semver.major(live) !== semver.major(to)) {
    steps.push(
      `  Do not migrate: Zapier moves Zaps only within a major version, so Zaps on ${live}\n` +
        `  stay there until their owners edit them onto ${to}; deprecate ${live} once they have.`,
    );
  } else {
    steps.push(
      `  npx zapier-platform migrate ${live} ${to} 100%   # migrate only within a major version`,
    );
  }
  for (const version of labelled.filter((v) => semver.major(v) === semver.major(to))) {
    steps.push(
      `  npx zapier-platform migrate ${version} ${to} 100%   # the Zaps of ${version}'s testers`,
    );
  }
  return steps.join('\n');
}

/** What `git status` lists as changed or new in the repo; null outside a git work tree. */
function uncommittedFiles(): string[] | null {
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (status.error || status.status !== 0) return null;
  return status.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(3));
}

/**
 * A release is best made from a committed tree: the snapshot and the version describe the tree
 * as it is, and the release commit is what the next guard and every reviewer read. Uncommitted
 * work would ride along in that commit unreviewed, or, left out of it, leave a snapshot of code
 * no commit holds. A note after the release, not a refusal: the changes being released may be
 * the uncommitted ones (a CHANGELOG.md section written first, say), committed with the release.
 */
function uncommittedNote(files: string[] | null, target: string, dryRun: boolean): string {
  if (!files || files.length === 0) return '';
  const shown =
    files.slice(0, 5).join(', ') + (files.length > 5 ? ` and ${files.length - 5} more` : '');
  return (
    `Note: the tree had uncommitted changes (${shown}). ${dryRun ? 'They would be' : 'They are'} ` +
    `part of ${target}: its snapshot describes the tree as it is, so they belong in its commit. ` +
    `To leave them out, commit or stash them${dryRun ? ' first' : `, take back what the release wrote (the version in package.json and package-lock.json, releases/${target}.json, its CHANGELOG.md section if it wrote one)`}, and release again.\n`
  );
}

async function release(
  request: string,
  dryRun: boolean,
  uncommitted: string[] | null,
): Promise<void> {
  const verdict = await assess();
  // Nothing was compared (package.json's version, or a lost snapshot): nothing to release on.
  if (!verdict.ok && !verdict.compared) throw new ReleaseRefused(verdict.summary);
  // Each release starts from a finished one: a snapshot not committed yet is a release still
  // being made (or given up), and a second on top of it would migrate from a version nobody
  // uploaded.
  if (verdict.released && !isCommitted(verdict.released)) {
    const file = path.relative(REPO, releaseFile(verdict.released));
    throw new ReleaseRefused(
      `${file} is not committed: the ${verdict.released} release is not finished. Commit it ` +
        `(git add -A && git commit -m "Release ${verdict.released}") before preparing the next ` +
        `one, or, if it was given up, remove it (rm ${file}) and set package.json back.`,
    );
  }
  const base = verdict.released ?? verdict.version;
  const target = targetVersion(request, base);
  // A version set by hand is released with `current`; a bump to another one would replace it.
  if (verdict.released && verdict.version !== verdict.released && target !== verdict.version) {
    throw new ReleaseRefused(
      `package.json says ${verdict.version}, set after the released ${verdict.released}; ` +
        `\`release -- ${request}\` would make it ${target}. Release ${verdict.version} with ` +
        '`npm run release -- current`, or set the version back first.',
    );
  }
  const bump = verdict.released ? bumpBetween(verdict.released, target) : 'none';
  if (verdict.changes.length > 0) console.log(`${describeChanges(verdict.changes)}\n`);
  if (bump === 'backwards' || (verdict.released && bump === 'none')) {
    throw new ReleaseRefused(`${target} is not newer than the released ${verdict.released}.`);
  }
  if (bump !== 'none' && verdict.needed && !isEnough(bump, verdict.needed)) {
    throw new ReleaseRefused(
      `Refused: these changes need a ${verdict.needed} release (${verdict.next}); ${target} is a ${bump}.`,
    );
  }
  const file = releaseFile(target);
  if (existsSync(file)) throw new ReleaseRefused(`${path.relative(REPO, file)} exists already.`);
  const notes = draftNotes(verdict.changes);
  const hadSection = hasChangelogSection(target);
  if (!dryRun) {
    const taken = await takeSnapshot(target);
    npmVersion(target);
    if (!hadSection) openChangelogSection(target, notes);
    // The app read its version when it was loaded above; the snapshot is of the bumped one.
    writeSnapshot({ ...taken, definition: { ...taken.definition, version: target } });
  }
  const after = verdict.released ? `${bump} after ${verdict.released}` : null;
  const section = `"## ${target}" section`;
  console.log(
    (dryRun
      ? [
          `Would release ${target} (${after ?? 'nothing before it'}):`,
          `  package.json and package-lock.json would say ${target}`,
          hadSection
            ? `  CHANGELOG.md already has a ${section}`
            : `  CHANGELOG.md would get a draft ${section}:\n${notes.replace(/^/gm, '    ')}`,
          `  ${path.relative(REPO, file)} would be its definition snapshot`,
          '',
          'Nothing was changed; after a real release these would follow.',
        ]
      : [
          `Prepared ${target}${after ? `, a ${after}` : ''}:`,
          `  package.json and package-lock.json say ${target}`,
          hadSection
            ? `  CHANGELOG.md already had a ${section}`
            : `  CHANGELOG.md has a draft ${section}: say what Zap users will notice`,
          `  ${path.relative(REPO, file)} is its definition snapshot`,
          '',
        ]
    )
      .concat(nextSteps(target))
      .join('\n'),
  );
  const note = uncommittedNote(uncommitted, target, dryRun);
  if (note) console.log(`\n${note}`);
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new ReleaseRefused(USAGE);
  const [request] = positionals;
  // Read before the release writes anything: what was uncommitted is the maintainer's own.
  const uncommitted = uncommittedFiles();
  // `current` is a release of the version package.json has already: the same guard, changelog
  // section and snapshot, and `npm version` leaves the version as it is.
  await release(request === 'current' ? packageVersion() : request, values['dry-run'], uncommitted);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = error instanceof ReleaseRefused ? 1 : 2;
});
