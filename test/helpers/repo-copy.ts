/**
 * A throwaway copy of the repo, for tests that change the app's sources or version and run the
 * maintainer's commands on it: the files git has (tracked, or new and not ignored), the current
 * dist/ (so that a command which forgot to compile would show the old app) with the types
 * generated from schemas/, and node_modules as hard links (a second install would take a
 * minute; a symlink would make zapier-platform's in-place build trace files outside the
 * folder). Removed with `remove()`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { takeSnapshot, writeSnapshot } from '../../scripts/release/snapshot';
import { REPO } from './child';

const execFileAsync = promisify(execFile);

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RepoCopy {
  dir: string;
  /** Runs a command in the copy; never throws for a failing exit code. */
  run(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Outcome>;
  /**
   * Makes the app as it is now the copy's only release, as `version` (package.json, the lock,
   * releases/ and CHANGELOG.md say so), so that what the copy's guard sees is only what the test
   * changes afterwards, and its versions hold whatever the repo has released since.
   */
  releaseAs(version: string): Promise<void>;
  /** Rewrites a file of the copy; fails if the edit changed nothing. */
  edit(file: string, change: (text: string) => string): void;
  remove(): void;
}

function linkNodeModules(target: string): void {
  const source = path.join(REPO, 'node_modules');
  try {
    // GNU cp: hard links, a few seconds for the whole tree.
    execFileSync('cp', ['-al', source, target], { stdio: 'pipe' });
  } catch {
    // Another file system, or no GNU cp: a real copy.
    rmSync(target, { recursive: true, force: true });
    cpSync(source, target, { recursive: true, verbatimSymlinks: true });
  }
}

export function copyRepo(prefix = 'chatting-repo-'): RepoCopy {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: REPO,
      encoding: 'utf8',
    },
  )
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    try {
      cpSync(path.join(REPO, file), path.join(dir, file));
    } catch (error) {
      // A file deleted in the working tree but not yet in git's index.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  cpSync(path.join(REPO, 'dist'), path.join(dir, 'dist'), { recursive: true });
  // The build's other output: with it, the copy's first build compiles only what changed.
  const generated = path.join('schemas', 'generated');
  cpSync(path.join(REPO, generated), path.join(dir, generated), { recursive: true });
  linkNodeModules(path.join(dir, 'node_modules'));
  return {
    dir,
    async run(command, args, env = {}) {
      try {
        const { stdout, stderr } = await execFileAsync(command, args, {
          cwd: dir,
          env: { ...process.env, ...env },
          maxBuffer: 64 * 1024 * 1024,
          // Under the calling test's own bound (a slow case gives itself 300 s).
          timeout: 280_000,
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code?: number | string; stdout?: string; stderr?: string };
        return {
          code: typeof failed.code === 'number' ? failed.code : -1,
          stdout: failed.stdout ?? '',
          stderr: `${failed.stderr ?? ''}${typeof failed.code === 'string' ? failed.code : ''}`,
        };
      }
    },
    async releaseAs(version) {
      // As a maintainer sets it: package.json and the lock.
      const args = ['version', version, '--no-git-tag-version', '--allow-same-version'];
      const set = await this.run('npm', args);
      if (set.code !== 0) throw new Error(`npm version ${version} failed: ${set.stderr}`);
      const releases = path.join(dir, 'releases');
      rmSync(releases, { recursive: true, force: true });
      // The compiled app of the repo, which the copy's dist/ and sources are a copy of.
      const snapshot = await takeSnapshot(version);
      writeSnapshot({ ...snapshot, definition: { ...snapshot.definition, version } }, releases);
      const changelog = path.join(dir, 'CHANGELOG.md');
      const text = readFileSync(changelog, 'utf8');
      writeFileSync(
        changelog,
        `${text.slice(0, text.indexOf('\n## ') + 1)}## ${version}\n\nAs released.\n`,
      );
    },
    edit(file, change) {
      const target = path.join(dir, file);
      const before = readFileSync(target, 'utf8');
      const after = change(before);
      if (after === before) throw new Error(`the edit of ${file} changed nothing`);
      writeFileSync(target, after);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
