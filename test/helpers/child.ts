/**
 * Runs the real chatting-mock CLI as a child process (the compiled one, as `chatting-mock` runs
 * it; or any other entry) and waits for its banner to learn the URL it listens on. jest's global
 * setup (test/setup/build-first.ts) brings dist/ up to date with the sources before any test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO = path.join(__dirname, '..', '..');
/** The CLI's TypeScript source, for a test of that entry (run it with TSX below). */
export const CLI_SOURCE = path.join(REPO, 'mock-server', 'cli.ts');
/**
 * The compiled CLI: what `chatting-mock` and `npm start` run, and what the tests start (about
 * 0.35 s sooner than the source through tsx, some forty times in a run).
 */
export const MOCK_CLI = path.join(REPO, 'dist', 'mock-server', 'cli.js');
/** The installed command, whose shebang gives node the flags the mock runs with. */
export const MOCK_BIN = path.join(REPO, 'bin', 'chatting-mock.js');
/**
 * The Node flags of `chatting-mock` (its shebang's, after `node`): what `npm start` passes too,
 * and what the bench runs the compiled CLI with, so that it measures the command users run.
 */
export const MOCK_RUNTIME_FLAGS: readonly string[] = shebangFlags(MOCK_BIN);

function shebangFlags(file: string): string[] {
  const [first] = readFileSync(file, 'utf8').split('\n', 1);
  const match = /^#!.*?\bnode\b(.*)$/.exec(first);
  if (!match) throw new Error(`${file} does not start with a node shebang`);
  return match[1].split(' ').filter(Boolean);
}

/** Node flags that run TypeScript through tsx from any working directory. */
export const TSX = ['--import', pathToFileURL(require.resolve('tsx')).href];

export interface Child {
  process: ChildProcess;
  base: string;
  output: () => string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/**
 * Starts `node <entry> --port 0 <args>`; the entry prints `listening on http://host:port...`
 * once it listens (default: the compiled CLI). `command` runs another executable
 * instead of this node (an entry with a shebang, given `[]` as its entry), with `env`.
 */
export async function startChild(
  args: string[],
  cwd: string = REPO,
  entry: string[] = [MOCK_CLI],
  command: { file: string; env?: NodeJS.ProcessEnv } = { file: process.execPath },
): Promise<Child> {
  const child = spawn(command.file, [...entry, '--port', '0', ...args], {
    cwd,
    env: command.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner after 20 s:\n${output}`)), 20_000);
    const look = () => {
      const match = /listening on (http:\/\/[^\s/]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', look);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before listening:\n${output}`));
    });
  });
  return { process: child, base, output: () => output, exited };
}
