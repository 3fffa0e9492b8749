/**
 * Builds dist/: the types from schemas/, then a full compile into an emptied dist/, then a stamp
 * of the sources it was built from (dist/.sources.sha256).
 *
 *   npm run build                       always builds
 *   tsx scripts/build.ts --if-stale     builds unless dist/ carries the stamp of the sources as
 *                                       they are now (npm start, npm run zap: no 7-13 s compile
 *                                       on every start)
 *
 * The stamp hashes the contents of every input, not their times: a git checkout or a copy sets
 * times that say nothing about what dist/ was built from. It is written only after a compile
 * that succeeded, and an emptied dist/ has none, so a failed or interrupted build is redone.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const REPO = path.join(import.meta.dirname, '..');
const DIST = path.join(REPO, 'dist');
const STAMP = path.join(DIST, '.sources.sha256');

/**
 * What dist/ is made from: the compiled folders (tsconfig.build.json's include), the type
 * generator, the compiler settings, package.json (its `type` decides what tsc emits) and the
 * lock (the compiler's and the generator's versions). schemas/generated/ is the build's output.
 */
const INPUT_FOLDERS = ['src', 'mock-server', 'schemas'];
const INPUT_FILES = [
  'scripts/generate-types.ts',
  'scripts/build.mts',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
];
const GENERATED = path.join('schemas', 'generated');
/** What tsc and the generator read in those folders (not the dashboard's files, say). */
const COMPILED = /\.(ts|json)$/;

/** The build's steps as commands, in order (scripts/test.ts runs them as its own steps too). */
export const BUILD_STEPS: { name: string; command: string[] }[] = [
  {
    name: 'types from schemas/',
    command: [process.execPath, require.resolve('tsx/cli'), 'scripts/generate-types.ts'],
  },
  {
    name: 'compile into dist/',
    command: [process.execPath, require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  },
];

/** A SHA-256 over the path and contents of every input, in a fixed order. */
export function sourcesDigest(): string {
  const files = [
    ...INPUT_FOLDERS.flatMap((folder) =>
      readdirSync(path.join(REPO, folder), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && COMPILED.test(entry.name))
        .map((entry) => path.relative(REPO, path.join(entry.parentPath, entry.name)))
        .filter((file) => !file.startsWith(GENERATED + path.sep)),
    ),
    ...INPUT_FILES,
  ].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file.split(path.sep).join('/')}\0`);
    hash.update(readFileSync(path.join(REPO, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Whether dist/ was built, successfully, from the sources as they are now. */
export function isBuilt(digest: string = sourcesDigest()): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === digest;
}

/** Records that dist/ was built from the sources of `digest` (taken before the build began). */
export function writeStamp(digest: string): void {
  writeFileSync(STAMP, `${digest}\n`);
}

/** Empties dist/ before a compile, so that no file of a removed source stays in it. */
export function emptyDist(): void {
  rmSync(DIST, { recursive: true, force: true });
}

/** The whole build, in this process's terminal; the exit code of the step that failed, or 0. */
export function build(digest: string = sourcesDigest()): number {
  emptyDist();
  for (const step of BUILD_STEPS) {
    const [command, ...args] = step.command;
    const result = spawnSync(command, args, { cwd: REPO, stdio: 'inherit' });
    if (result.status !== 0) return result.status ?? 1;
  }
  writeStamp(digest);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const digest = sourcesDigest();
  if (process.argv.includes('--if-stale')) {
    if (isBuilt(digest)) process.exit(0);
    console.error('dist/ is not built from the current sources: building it first');
  }
  process.exit(build(digest));
}
