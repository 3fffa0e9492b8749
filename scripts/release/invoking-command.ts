/**
 * Which zapier-platform command a script runs under. The CLI runs `npm run _zapier-build` before
 * `build`, `push`, `validate` and `test` alike, and tells the script nothing of which: the
 * command is read off the script's ancestor processes (`ps`, on Linux and macOS).
 */
import { spawnSync } from 'node:child_process';

/**
 * The CLI's own process (`…/zapier-platform push`, or its file `…/zapier-platform-cli/src/bin/run
 * push`), npx's, or a shell's running it.
 */
const ZAPIER_COMMAND =
  /(?:^|[\s/])(?:zapier(?:-platform)?(?:-cli)?(?:\.js)?|zapier-platform-cli\/src\/bin\/run(?:\.js)?)\s+([a-z]+)\b/;

/** What the ancestors say: the command, none (no zapier-platform above), or nothing (no `ps`). */
export type CommandAbove = { command: string } | 'none' | 'unknown';

/**
 * The zapier-platform command among this process's ancestors (`push`, `upload`, `validate`, …),
 * the nearest first. `ps -ww`: without it, ps cuts each line to the terminal's width (COLUMNS),
 * and a CLI started from a deep folder lost its command word.
 */
export function zapierCommandAbove(pid: number = process.ppid): CommandAbove {
  // npm, a shell and the CLI sit between; a few more levels cover npx and nested npm scripts.
  for (let depth = 0; pid > 1 && depth < 10; depth++) {
    const ps = spawnSync('ps', ['-ww', '-o', 'ppid=,args=', '-p', String(pid)], {
      encoding: 'utf8',
    });
    const line = ps.status === 0 ? /^\s*(\d+)\s+(.*)$/.exec(ps.stdout.trim()) : null;
    if (!line) return 'unknown';
    const command = ZAPIER_COMMAND.exec(line[2]);
    if (command) return { command: command[1] };
    pid = Number(line[1]);
  }
  return 'none';
}
