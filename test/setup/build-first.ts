/**
 * jest's global setup: dist/ built from the sources as they are, before any test runs. The tests
 * start the compiled mock (test/helpers/child.ts) and load the compiled app; `npm test` has just
 * built it (this then costs a stamp check, about 0.3 s), but `npx jest <file>` after an edit has
 * not.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export default function buildFirst(): void {
  const repo = path.join(__dirname, '..', '..');
  // A partial copy of the project has no build to run: the scaffold test's, whose generated test
  // loads the app's sources, not dist/.
  if (!existsSync(path.join(repo, 'scripts', 'build.mts'))) return;
  const result = spawnSync(process.execPath, ['scripts/build.mts', '--if-stale'], {
    cwd: repo,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    throw new Error(
      'dist/ could not be built: `node scripts/build.mts --if-stale` failed (see above)',
    );
  }
}
