/**
 * The servers a bench drives, each in its own process on 127.0.0.1: the mock as users run it
 * (the compiled CLI with the command's Node flags, or the `chatting-mock` command itself;
 * `--memory` or a data file in a temporary folder, never .chatting-mock/) and
 * the bare node:http yardstick.
 */
import path from 'node:path';
import { MOCK_RUNTIME_FLAGS, REPO, startChild, TSX, type Child } from '../../test/helpers/child';

/** The compiled CLI: what `chatting-mock` runs (the bench builds dist/ first when stale). */
export const DIST_CLI = path.join(REPO, 'dist', 'mock-server', 'cli.js');
/**
 * The CLI the bench starts: BENCH_MOCK_CLI names another build's (a checkout of main, for a
 * before/after comparison in one window).
 */
const MOCK_CLI = process.env.BENCH_MOCK_CLI ?? DIST_CLI;
/** Node flags for the mock only, to profile it under a case's load: `--cpu-prof --cpu-prof-dir=/tmp/p`. */
const MOCK_NODE_FLAGS = (process.env.BENCH_MOCK_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const BARE_SERVER = path.join(__dirname, 'bare-server.ts');

export interface Running {
  base: string;
  /** The server's process id (to read its memory from /proc). */
  pid: number;
  stop(): Promise<void>;
}

function running(child: Child): Running {
  return {
    base: child.base,
    pid: child.process.pid as number,
    stop: async () => {
      child.process.kill('SIGTERM');
      await child.exited;
    },
  };
}

/** The mock, quiet, with these flags (`--memory`, or `--db` in a temporary folder). */
export async function startMock(args: string[]): Promise<Running> {
  const entry = [...MOCK_RUNTIME_FLAGS, ...MOCK_NODE_FLAGS, MOCK_CLI];
  return running(await startChild(['--quiet', ...args], REPO, entry));
}

/**
 * The mock as `chatting-mock` itself, the command users run: bin/chatting-mock.js of the build
 * the bench measures (BENCH_MOCK_CLI's, if given), run by its shebang with this Node first on
 * PATH. The command execs node, so the process id is the server's.
 */
export async function startMockCommand(args: string[]): Promise<Running> {
  const bin = path.join(path.dirname(MOCK_CLI), '..', '..', 'bin', 'chatting-mock.js');
  const env = {
    ...process.env,
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
  };
  return running(await startChild(['--quiet', ...args], REPO, [], { file: bin, env }));
}

/** The bare server answering every request with this status and body. */
export async function startBare(status: number, body: string): Promise<Running> {
  const args = ['--status', String(status), '--body', body];
  return running(await startChild(args, REPO, [...TSX, BARE_SERVER]));
}
