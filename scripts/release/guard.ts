/**
 * The compatibility guard's verdict: the compiled app against the newest release snapshot, and
 * whether package.json's version bumps enough for what changed. Shared by `npm run
 * zapier:compat`, `npm run release` and the build that every zapier-platform command runs.
 */
import path from 'node:path';
import semver from 'semver';
import {
  bumpBetween,
  compareReleases,
  isEnough,
  requiredBump,
  type Bump,
  type Change,
} from './compatibility';
import {
  currentAgainst,
  isCommitted,
  isZapierVersion,
  latestRelease,
  missingReleases,
  packageVersion,
  RELEASES_DIR,
  releaseFile,
  REPO,
  type ReleaseSnapshot,
  ZAPIER_VERSION_RULE,
} from './snapshot';

export interface Verdict {
  /** The version package.json gives. */
  version: string;
  /** The newest release with a snapshot, or null before the first one. */
  released: string | null;
  changes: Change[];
  /** The bump the changes need (null: nothing changed). */
  needed: Bump | null;
  /** The next version that bump gives, from the released one. */
  next: string | null;
  /** package.json's bump from the released version. */
  bump: ReturnType<typeof bumpBetween> | null;
  /**
   * Whether the app was compared with a release: false before the first release, and when
   * package.json's version or a missing snapshot stops the guard first (then ok is false).
   */
  compared: boolean;
  ok: boolean;
  /** What to tell the maintainer, in a sentence or two. */
  summary: string;
}

export interface AssessOptions {
  /**
   * The app is about to be uploaded: then package.json still giving the released version is
   * refused when the app has changed since, as that upload would replace the released version
   * with an app its snapshot does not describe.
   */
  uploading?: boolean;
}

export async function assess(options: AssessOptions = {}): Promise<Verdict> {
  const version = packageVersion();
  const refusal = (summary: string, released: string | null = null): Verdict => ({
    version,
    released,
    changes: [],
    needed: null,
    next: null,
    bump: null,
    compared: false,
    ok: false,
    summary,
  });
  let release: ReleaseSnapshot | null;
  try {
    release = latestRelease();
  } catch (error) {
    // A damaged snapshot: a verdict like any refusal (JSON too with --json), naming the file.
    return refusal((error as Error).message);
  }
  if (!isZapierVersion(version)) {
    return refusal(
      `package.json's version "${version}" is not one Zapier takes: ${ZAPIER_VERSION_RULE}.`,
      release?.version,
    );
  }
  const missing = missingReleases();
  if (missing.length > 0) {
    const folder = path.relative(REPO, RELEASES_DIR);
    const files = missing.map((name) => `${folder}/${name}.json`).join(', ');
    return refusal(
      `${files} ${missing.length > 1 ? 'are' : 'is'} in git's HEAD but not in ${folder}/, so the guard would check against ${release ? `the older ${release.version}` : 'nothing'}. Restore ${missing.length > 1 ? 'them' : 'it'}: git checkout HEAD -- ${folder}/`,
      release?.version,
    );
  }
  if (!release) {
    return {
      version,
      released: null,
      changes: [],
      needed: null,
      next: null,
      bump: null,
      compared: false,
      ok: true,
      summary: `No release snapshot in ${path.relative(REPO, RELEASES_DIR)}/ yet: \`npm run release\` writes the first one.`,
    };
  }
  const current = await currentAgainst(release, version);
  const changes = compareReleases(release, current);
  const needed = requiredBump(changes);
  const next = needed ? semver.inc(release.version, needed) : null;
  const bump = bumpBetween(release.version, version);
  const base = { version, released: release.version, changes, needed, next, bump, compared: true };
  const file = path.relative(REPO, releaseFile(release.version));
  const since = `since ${release.version} (${file})`;
  if (bump === 'backwards') {
    return {
      ...base,
      ok: false,
      summary:
        `package.json says ${version}, older than the released ${release.version}.` +
        (isCommitted(release.version)
          ? ''
          : ` ${file} is not committed: if that release was given up, remove it (rm ${file}).`),
    };
  }
  if (bump === 'none' && options.uploading && needed) {
    return {
      ...base,
      ok: false,
      summary:
        `package.json is still the released ${version}, but the app has changed since its snapshot (${file}). ` +
        `Uploading it would replace ${version} with an app that snapshot does not describe, and the next release would be checked against a definition Zapier never received. ` +
        `Release the changes as a version of their own (\`npm run release -- ${needed}\`: ${next}), then upload that.`,
    };
  }
  if (bump === 'none') {
    return {
      ...base,
      ok: true,
      summary: needed
        ? `package.json is still the released ${version}, and the app has changed since: do not upload a build of it (push, a bare build and zapier:push refuse to; a bare upload of build/ from zapier:build would send it as ${version}). The next release needs a ${needed} bump: ${next} (\`npm run release -- ${needed}\`).`
        : `Nothing changed ${since}.`,
    };
  }
  if (needed && !isEnough(bump, needed)) {
    return {
      ...base,
      ok: false,
      summary: `These changes need a ${needed} release, but package.json says ${version}, a ${bump} after ${release.version}: too small. Use ${next} (\`npm run release -- ${needed}\`).`,
    };
  }
  return {
    ...base,
    ok: true,
    summary: `package.json says ${version}, a ${bump} after ${release.version}: enough for ${needed ? `the ${needed} changes` : 'what changed'} ${since}.`,
  };
}

/** The changes as lines of text, biggest bump first. */
export function describeChanges(changes: Change[]): string {
  return changes
    .map(
      ({ bump, where, what, why }) =>
        `  ${bump === 'major' ? 'MAJOR' : bump.padEnd(5)}  ${where}: ${what}\n         ${why}`,
    )
    .join('\n');
}
