/**
 * Builds a Zapier build.zip in a staging folder outside the repo. `zapier-platform build
 * --skip-dep-install` builds in the folder it runs in, and besides the files esbuild traces from
 * index.js it packs every `package.json` (and `definition.json`) found anywhere under that folder:
 * in the repo, that is hundreds of dev dependencies' package.json files. A folder holding only the
 * app and its production dependencies leaves it nothing extra to find. Everything else (tracing,
 * zapierwrapper.js, definition.json, the zip's self-test) stays the CLI's own.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..');

export interface ZipSummary {
  path: string;
  bytes: number;
  files: number;
}

interface LockedPackage {
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
}

/**
 * The node_modules folders the app needs at run time: package-lock.json's entries that are neither
 * dev nor optional (what `npm ci --omit=dev --omit=optional` installs). Optional ones are left out
 * because nothing the app runs needs them: in this tree they are zapier-platform-core's
 * @types/node, and `encoding` (with iconv-lite), which node-fetch loads only if present, for a
 * method core never calls, and which is here only because dev dependencies brought it. Nested
 * folders are copied with their parent, which depends on them and so is itself needed.
 */
function productionPackageFolders(): string[] {
  const lock = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockedPackage>;
  };
  return Object.entries(lock.packages)
    .filter(
      ([folder, { dev, optional, devOptional }]) =>
        folder.lastIndexOf('node_modules/') === 0 && !dev && !optional && !devOptional,
    )
    .map(([folder]) => folder);
}

/** Copies from the repo into the staging folder (verbatim symlinks keep them inside the folder). */
export function copyFromRepo(
  stage: string,
  relative: string,
  filter?: (source: string) => boolean,
): void {
  cpSync(path.join(REPO, relative), path.join(stage, relative), {
    recursive: true,
    verbatimSymlinks: true,
    filter,
  });
}

/**
 * Bytes and entries of a zip. The entry count is read from the end-of-central-directory record,
 * which is the last 22 bytes of a zip without a comment, as the CLI's are.
 */
export function summarizeZip(file: string): ZipSummary {
  const zip = readFileSync(file);
  const record = zip.length - 22;
  if (record < 0 || zip.readUInt32LE(record) !== 0x06054b50) {
    throw new Error(`${file}: no end-of-central-directory record where expected`);
  }
  return { path: file, bytes: statSync(file).size, files: zip.readUInt16LE(record + 10) };
}

/**
 * Stages an app (its own files written by `writeApp`, plus the production node_modules), runs
 * `zapier-platform build --skip-validation --skip-dep-install` there and copies its build.zip to
 * `zipTarget`. The staging folder is removed whatever happens.
 */
export function buildStaged(
  label: string,
  writeApp: (stage: string) => void,
  zipTarget: string,
): ZipSummary {
  const stage = mkdtempSync(path.join(tmpdir(), `zapier-stage-${label}-`));
  try {
    for (const folder of productionPackageFolders()) copyFromRepo(stage, folder);
    writeApp(stage);
    const cli = spawnSync(
      path.join(REPO, 'node_modules', '.bin', 'zapier-platform'),
      ['build', '--skip-validation', '--skip-dep-install'],
      { cwd: stage, env: { ...process.env, DISABLE_ZAPIER_ANALYTICS: '1' }, encoding: 'utf8' },
    );
    if (cli.status !== 0) {
      throw new Error(`zapier-platform build failed for ${label}:\n${cli.stdout}${cli.stderr}`);
    }
    mkdirSync(path.dirname(zipTarget), { recursive: true });
    copyFileSync(path.join(stage, 'build', 'build.zip'), zipTarget);
    return summarizeZip(zipTarget);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * The Chatting app as Zapier runs it: index.js, the compiled dist/ without the mock server (the
 * app must not need it: the CLI's self-test of the zip fails if it does), .zapierapprc (its
 * includeInBuild), .gitignore (which the CLI's source.zip honours) and a package.json with only
 * what the runtime reads. Uses the dist/ that `npm run build` made; never rebuilds it.
 */
export function writeChattingApp(stage: string): void {
  if (!existsSync(path.join(REPO, 'dist', 'src', 'index.js'))) {
    throw new Error('dist/src/index.js is missing: run `npm run build` first');
  }
  const { name, version, main, dependencies } = JSON.parse(
    readFileSync(path.join(REPO, 'package.json'), 'utf8'),
  ) as Record<string, unknown>;
  const packageJson = { name, version, main, dependencies };
  writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  for (const file of ['index.js', '.zapierapprc', '.gitignore']) copyFromRepo(stage, file);
  const mockServer = path.join(REPO, 'dist', 'mock-server');
  copyFromRepo(stage, 'dist', (source) => source !== mockServer);
}
