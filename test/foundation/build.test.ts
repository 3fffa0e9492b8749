/**
 * `node scripts/build.mts --if-stale` (npm start, npm run zap): builds only when dist/ was not
 * built from the sources as they are, and then only what changed. Run on a small project of its
 * own in a temporary folder (a copy of the script, one source file, its own tsconfig), never on
 * the repo's dist/.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../helpers/child';
import { temporaryDirectoryForEachTest } from '../helpers/mock';

const run = promisify(execFile);

describe('build.mts --if-stale', () => {
  const at = temporaryDirectoryForEachTest();

  /** The lock as `npm version` leaves it: the package's own version recorded twice. */
  const lockAt = (version: string) =>
    `${JSON.stringify({ name: 'fixture', version, packages: { '': { version } } })}\n`;

  /** The project: what the script hashes and compiles, with a one-line type generator. */
  function project(): void {
    const files: Record<string, string> = {
      'src/index.ts': 'export const answer: number = 42;\n',
      'mock-server/server.ts': 'export const port = 3000;\n',
      'mock-server/dashboard/page.css': 'body {}\n',
      'schemas/thing.json': '{"title": "Thing"}\n',
      // A generator that also counts its runs.
      'scripts/generate-types.ts':
        "require('node:fs').mkdirSync('schemas/generated', { recursive: true });\n" +
        "require('node:fs').writeFileSync('schemas/generated/index.ts', 'export type Thing = object;\\n');\n" +
        "require('node:fs').appendFileSync('generated-runs', 'x');\n" +
        // As the repo's generator does: a line on its stdout, which the build moves to stderr.
        "console.log('generated types');\n",
      // One small lib, unchecked: each compile of this one-line project then takes about a
      // second rather than three (what is tested is when the script compiles, not tsc).
      'tsconfig.json':
        '{"compilerOptions": {"strict": true, "module": "nodenext", "lib": ["es2022"], "skipLibCheck": true}}\n',
      'tsconfig.build.json': JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: { rootDir: '.', outDir: 'dist', types: [] },
        include: ['src', 'mock-server', 'schemas'],
      }),
      'package.json': '{"name": "fixture", "version": "1.0.0", "private": true}\n',
      'package-lock.json': lockAt('1.0.0'),
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(at(file)), { recursive: true });
      writeFileSync(at(file), text);
    }
    copyFileSync(path.join(REPO, 'scripts', 'build.mts'), at('scripts', 'build.mts'));
    symlinkSync(path.join(REPO, 'node_modules'), at('node_modules'));
  }

  /** Runs the script; `built` says whether it built (it says so before it does). */
  async function ifStale(): Promise<{ built: boolean; stderr: string }> {
    const { stdout, stderr } = await run(
      process.execPath,
      [at('scripts', 'build.mts'), '--if-stale'],
      { cwd: at() },
    );
    assert.ok(existsSync(at('dist', 'src', 'index.js')), 'dist/ is there either way');
    // stdout is left to what runs after a build (`zapier:compat -- --json` is JSON only).
    assert.equal(stdout, '', 'a build prints on stderr only');
    return { built: /building it first/.test(stderr), stderr };
  }

  const generatorRuns = () =>
    existsSync(at('generated-runs')) ? readFileSync(at('generated-runs'), 'utf8').length : 0;

  test('builds once, then not again until a source changes; times alone change nothing', async () => {
    project();
    const first = await ifStale();
    assert.ok(first.built);
    assert.match(first.stderr, /not built from the current sources: building it/);
    assert.match(first.stderr, /generated types/);
    assert.ok(existsSync(at('schemas', 'generated', 'index.ts')), 'types generated');
    assert.deepEqual(await ifStale(), { built: false, stderr: '' });

    // A checkout or a copy sets new times on unchanged files; the build's own output is no input;
    // nor is a file tsc does not read.
    const future = new Date(Date.now() + 3_600_000);
    utimesSync(at('src', 'index.ts'), future, future);
    writeFileSync(at('schemas', 'generated', 'extra.ts'), 'export {};\n');
    writeFileSync(at('mock-server', 'dashboard', 'page.css'), 'body { margin: 0 }\n');
    assert.equal((await ifStale()).built, false);

    writeFileSync(at('src', 'index.ts'), 'export const answer: number = 43;\n');
    assert.equal((await ifStale()).built, true);
    assert.match(readFileSync(at('dist', 'src', 'index.js'), 'utf8'), /43/);
    writeFileSync(at('schemas', 'other.json'), '{"title": "Other"}\n');
    assert.equal((await ifStale()).built, true);
    assert.equal((await ifStale()).built, false);

    // Without --if-stale (npm run build): says so on stderr (stdout is left to what runs after
    // it), and starts no compiler.
    const { stdout, stderr } = await run(process.execPath, [at('scripts', 'build.mts')], {
      cwd: at(),
    });
    assert.match(stderr, /already built from the current sources/);
    assert.equal(stdout, '');
  });

  test('builds incrementally: types only for a changed schema, and a removed source leaves nothing behind', async () => {
    project();
    writeFileSync(at('src', 'extra.ts'), 'export const extra = 1;\n');
    await ifStale();
    assert.equal(generatorRuns(), 1);
    assert.ok(existsSync(at('dist', '.tsbuildinfo')), 'tsc keeps its incremental state');

    writeFileSync(at('src', 'index.ts'), 'export const answer: number = 45;\n');
    assert.equal((await ifStale()).built, true);
    assert.equal(generatorRuns(), 1, 'no schema changed: no new types');
    assert.match(readFileSync(at('dist', 'src', 'index.js'), 'utf8'), /45/);
    assert.ok(existsSync(at('dist', 'src', 'extra.js')), 'the rest of dist/ was kept');

    writeFileSync(at('schemas', 'thing.json'), '{"title": "Thing", "type": "object"}\n');
    await ifStale();
    assert.equal(generatorRuns(), 2, 'a schema changed: types again');

    // `npm version` rewrites package.json and the lock's record of the package's own version:
    // a rebuild, but an incremental one (the lock stands for the toolchain, which is unchanged).
    writeFileSync(at('dist', 'kept-by-incremental-builds'), '');
    writeFileSync(at('package.json'), '{"name": "fixture", "version": "1.1.0", "private": true}\n');
    writeFileSync(at('package-lock.json'), lockAt('1.1.0'));
    assert.equal((await ifStale()).built, true);
    assert.equal(generatorRuns(), 2, 'a version bump: no new types');
    assert.ok(existsSync(at('dist', 'kept-by-incremental-builds')), 'dist/ was not emptied');
    // A dependency's version in the lock is the toolchain: a clean build.
    writeFileSync(
      at('package-lock.json'),
      `${JSON.stringify({ version: '1.1.0', packages: { '': { version: '1.1.0' }, 'node_modules/typescript': { version: '9.9.9' } } })}\n`,
    );
    assert.equal((await ifStale()).built, true);
    assert.equal(generatorRuns(), 3, 'another toolchain: everything again');
    assert.ok(!existsSync(at('dist', 'kept-by-incremental-builds')), 'dist/ was emptied');

    // A source gone since the last build: its output would linger, so the build starts clean.
    rmSync(at('src', 'extra.ts'));
    assert.equal((await ifStale()).built, true);
    assert.ok(!existsSync(at('dist', 'src', 'extra.js')), 'no output of a removed source');
    assert.match(readFileSync(at('dist', 'src', 'index.js'), 'utf8'), /45/);
  });

  test('a compile that failed leaves no stamp: the next start builds again', async () => {
    project();
    writeFileSync(at('src', 'index.ts'), 'export const answer: number = "not a number";\n');
    await assert.rejects(
      run(process.execPath, [at('scripts', 'build.mts'), '--if-stale'], { cwd: at() }),
      (error: { code: number; stdout: string; stderr: string }) => {
        assert.notEqual(error.code, 0);
        // On stderr: stdout is left to what runs after a build.
        assert.match(error.stderr, /TS2322/);
        assert.equal(error.stdout, '');
        return true;
      },
    );
    assert.ok(!existsSync(at('dist', '.sources.sha256')));
    writeFileSync(at('src', 'index.ts'), 'export const answer: number = 44;\n');
    assert.equal((await ifStale()).built, true);
  });
});
