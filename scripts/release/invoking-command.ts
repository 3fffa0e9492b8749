/**
 * Which zapier-platform command a script runs under. The CLI runs `npm run _zapier-build` before
 * `build`, `push`, `validate` and `test` alike, and tells the script nothing of which: the
 * command is read off the script's ancestor processes (`ps`, on Linux and macOS).
 */
import { spawnSync } from 'node:child_process';

/** The CLI's own process (`…/zapier-platform push`), npx's, or a shell's running it. */
const ZAPIER_COMMAND = /(?:^|[\s/])zapier(?:-platform)?(?:\.js)?\s+([a-z]+)\b/;

/**
 * The zapier-platform command among this process's ancestors (`push`, `upload`, `validate`, …),
 * the nearest first; null when none runs it, or when `ps` cannot tell (Windows).
 */
export function zapierCommandAbove(pid: number = process.ppid): string | null {
  // npm, a shell and the CLI sit between; a few more levels cover npx and nested npm scripts.
  for (let depth = 0; pid > 1 && depth < 10; depth++) {
    const ps = spawnSync('ps', ['-o', 'ppid=,args=', '-p', String(pid)], { encoding: 'utf8' });
    const line = ps.status === 0 ? /^\s*(\d+)\s+(.*)$/.exec(ps.stdout.trim()) : null;
    if (!line) return null;
    const command = ZAPIER_COMMAND.exec(line[2]);
    if (command) return command[1];
    pid = Number(line[1]);
  }
  return null;
}
