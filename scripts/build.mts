/**
 * Builds dist/: the types from schemas/, then tsc, then a stamp of the sources it was built from
 * (dist/.sources.sha256).
 *
 *   npm run build                       builds what changed; nothing when dist/ carries the stamp
 *                                       of the sources as they are now (no compiler starts)
 *   node scripts/build.mts --if-stale   the same, silent when there is nothing to do (npm start,
 *                                       npm run zap: no compile on every start)
 *   node scripts/build.mts --if-stale --silent   no line of its own at all (_zapier-build)
 *   node scripts/build.mts --clean      empties dist/ and builds everything
 *   node scripts/build.mts --discard-zips   removes build/build.zip and build/source.zip only
 *                                       (`npm version` runs it; a build that compiles does too)
 *
 * The stamp hashes the contents of every input, not their times: a git checkout or a copy sets
 * times that say nothing about what dist/ was built from. It is removed when a build starts and
 * written only after one that succeeded, so a failed or interrupted build is redone.
 *
 * A build is incremental (tsc --incremental, its state in dist/.tsbuildinfo; the types are
 * generated again only when a schema changed): a changed label recompiles in about half the time
 * of a full compile. What an incremental build could get wrong makes it a clean one: a source
 * removed since the last build (its .js would stay in dist/), or another compiler, generator or
 * setting (dist/.build.json records what the last build was made from).
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
/** What the last build was made from: its toolchain, its schemas, its compiled sources. */
const MANIFEST = path.join(DIST, '.build.json');

/** The compiled folders (tsconfig.build.json's include). schemas/generated/ is the build's output. */
const INPUT_FOLDERS = ['src', 'mock-server', 'schemas'];
const LOCK = 'package-lock.json';
/**
 * What decides how the sources are built rather than what they say: the type generator, the
 * compiler settings, this script, and the lock (the compiler's and the generator's versions).
 */
const TOOLCHAIN_FILES = [
  'scripts/generate-types.ts',
  'scripts/build.mts',
  'tsconfig.json',
  'tsconfig.build.json',
  LOCK,
];
/** package.json too: its `type` decides what tsc emits. */
const INPUT_FILES = [...TOOLCHAIN_FILES, 'package.json'];
const GENERATED = path.join('schemas', 'generated');
/** What tsc and the generator read in those folders (not the dashboard's files, say). */
const COMPILED = /\.(ts|json)$/;

const TSX = require.resolve('tsx/cli');
const TSC = require.resolve('typescript/bin/tsc');

export interface BuildStep {
  name: string;
  command: string[];
}

interface Manifest {
  toolchain: string;
  schemas: string;
  sources: string[];
}

/** Every input file under the compiled folders, repo-relative, sorted. */
function sourceFiles(): string[] {
  return INPUT_FOLDERS.flatMap((folder) =>
    readdirSync(path.join(REPO, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && COMPILED.test(entry.name))
      .map((entry) => path.relative(REPO, path.join(entry.parentPath, entry.name)))
      .filter((file) => !file.startsWith(GENERATED + path.sep)),
  ).sort();
}

/** Each file's contents, read once however many digests take it. */
type Contents = Map<string, Buffer>;

function readAll(files: string[]): Contents {
  return new Map(files.map((file) => [file, readFileSync(path.join(REPO, file))]));
}

/** A SHA-256 over the path and contents of each file, in a fixed order. */
function digestOf(files: string[], contents: Contents): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    hash.update(`${file.split(path.sep).join('/')}\0`);
    const bytes = contents.get(file);
    if (!bytes) throw new Error(`${file} was not read`);
    hash.update(bytes);
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * The contents with the lock's record of this package's own version left out: `npm version`
 * rewrites it, and a release bump changes no compiler or generator (the version reaches dist/
 * through package.json, an input tsc reads), so it must not make the next build a clean one.
 */
function withoutOwnVersion(contents: Contents): Contents {
  const lock = JSON.parse(contents.get(LOCK)?.toString('utf8') ?? '{}') as {
    version?: string;
    packages?: Record<string, { version?: string }>;
  };
  delete lock.version;
  delete lock.packages?.['']?.version;
  return new Map(contents).set(LOCK, Buffer.from(JSON.stringify(lock)));
}

/** The digest of every input: what the stamp compares. */
export function sourcesDigest(sources: string[] = sourceFiles(), contents?: Contents): string {
  const files = [...sources, ...INPUT_FILES];
  return digestOf(files, contents ?? readAll(files));
}

function readManifest(): Manifest | null {
  try {
    return JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
  } catch {
    return null;
  }
}

/**
 * The steps that bring dist/ up to date with the sources, and what to record once they have
 * run: none when dist/ was built from the sources as they are; else the types only if a schema
 * (or the generator) changed, and tsc (incrementally, unless `clean` or the last build cannot be
 * built upon, in which case dist/ is emptied first). An incremental tsc with nothing to do still
 * takes about 2 s to load and compare, and every zapier-platform command starts with a build.
 */
export function planBuild(clean = false): { steps: BuildStep[]; finish: () => void } {
  const sources = sourceFiles();
  const contents = readAll([...sources, ...INPUT_FILES]);
  const digest = sourcesDigest(sources, contents);
  if (!clean && isBuilt(digest)) return { steps: [], finish: () => {} };
  // The zips were made from the dist/ this build replaces (every path that makes one compiles
  // first): a bare `upload` now finds none and says to build, rather than send the old app.
  discardUploadables();
  const schemaFiles = sources.filter(
    (file) => file.startsWith('schemas') && file.endsWith('.json'),
  );
  const manifest: Manifest = {
    toolchain: digestOf(TOOLCHAIN_FILES, withoutOwnVersion(contents)),
    schemas: digestOf(schemaFiles, contents),
    sources,
  };
  const last = clean ? null : readManifest();
  const removed = last?.sources.some((file) => !sources.includes(file)) ?? true;
  if (!last || removed || last.toolchain !== manifest.toolchain) {
    rmSync(DIST, { recursive: true, force: true });
  } else {
    rmSync(STAMP, { force: true });
  }
  const generated = existsSync(path.join(REPO, GENERATED, 'index.ts'));
  const steps: BuildStep[] = [];
  if (!generated || last?.schemas !== manifest.schemas || !existsSync(MANIFEST)) {
    steps.push({
      name: 'types from schemas/',
      command: [process.execPath, TSX, 'scripts/generate-types.ts'],
    });
  }
  steps.push({
    name: 'compile into dist/',
    command: [
      process.execPath,
      TSC,
      '-p',
      'tsconfig.build.json',
      '--incremental',
      '--tsBuildInfoFile',
      path.join('dist', '.tsbuildinfo'),
    ],
  });
  return {
    steps,
    finish: () => {
      writeFileSync(MANIFEST, `${JSON.stringify(manifest)}\n`);
      writeFileSync(STAMP, `${digest}\n`);
    },
  };
}

/**
 * Removes build/build.zip and build/source.zip: when dist/ is rebuilt, and when `npm version`
 * bumps the version (package.json's `version` script), which needs no compile, since the app
 * reads its version when it loads, but leaves a zip whose definition.json has the old one.
 */
export function discardUploadables(): void {
  // What `zapier-platform upload` sends as it finds them, by the CLI's own paths: it runs no
  // script before an upload, so they must not outlive the sources and version they came from.
  const { BUILD_PATH, SOURCE_PATH } = require('zapier-platform-cli/src/constants') as {
    BUILD_PATH: string;
    SOURCE_PATH: string;
  };
  for (const file of [BUILD_PATH, SOURCE_PATH]) rmSync(path.join(REPO, file), { force: true });
}

/** Whether dist/ was built, successfully, from the digest of the sources as they are now. */
function isBuilt(digest: string): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === digest;
}

/**
 * The whole build, in this process's terminal; the exit code of the step that failed, or 0.
 * `before` hears whether anything is to be built, before anything is (the sources are read and
 * hashed once, for that answer and for the build).
 */
export function build(clean = false, before: (stale: boolean) => void = () => {}): number {
  const { steps, finish } = planBuild(clean);
  before(steps.length > 0);
  for (const step of steps) {
    const [command, ...args] = step.command;
    // What the steps print (tsc's errors, the generator's line) goes to stderr, as the notes
    // below: stdout is left to what runs after a build (`zapier:compat -- --json` is JSON only).
    const result = spawnSync(command, args, { cwd: REPO, stdio: ['inherit', 2, 'inherit'] });
    if (result.status !== 0) return result.status ?? 1;
  }
  finish();
  return 0;
}

function main(args: string[]): number {
  if (args.includes('--discard-zips')) {
    discardUploadables();
    return 0;
  }
  const ifStale = args.includes('--if-stale');
  // --silent: no line of its own (a compiler's errors still show), for scripts whose own output
  // must come first (the guard's refusal in _zapier-build, which the CLI shows as its error).
  const silent = args.includes('--silent');
  return build(args.includes('--clean'), (stale) => {
    if (silent) return;
    if (stale && ifStale)
      console.error('dist/ is not built from the current sources: building it first');
    // On stderr, as the steps' output: stdout is the output of what runs after a build.
    if (!stale && !ifStale) {
      console.error('dist/ is already built from the current sources (--clean builds it again)');
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(main(process.argv.slice(2)));
