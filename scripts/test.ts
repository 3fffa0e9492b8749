/**
 * `npm test`: every check, each step once, then jest.
 *
 *   npm test                  types, compile, then typecheck, lint, openapi lint, Zapier's
 *                             validate, the compatibility guard (two at a time), then every
 *                             test (the slim build is made, uploaded and loaded by one of them:
 *                             test/release/build-paths.test.ts)
 *   npm test -- <jest args>   types and compile, then jest with those arguments only (this is
 *                             what `zapier-platform test -- -- <args>` runs: the CLI drops the first `--`)
 *
 * Each step's output is kept back and shown only when it fails; a line per step says how long it
 * took. A failing check does not stop the tests (you see every problem in one run), but a failed
 * compile does, since the tests load the compiled app.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { planBuild } from './build.mjs';
import { junitSummary, type TestSummary } from './junit-summary';

const REPO = path.join(__dirname, '..');
const BIN = path.join(REPO, 'node_modules', '.bin');

interface Step {
  name: string;
  command: string[];
}

const STEP = (name: string, ...command: string[]): Step => ({ name, command });

/**
 * What the checks remember between runs, under node_modules/.cache/ (so a fresh clone has none):
 * tsc's incremental state, which tracks what each file depends on, and Prettier's per-file cache,
 * keyed by contents (a checkout's new times change nothing). ESLint's cache is left off: it keys
 * a file's result to that file alone, and the type-aware rules read the files it imports.
 */
const CACHE = path.join('node_modules', '.cache', 'chatting-zapier');

const CHECKS: Step[] = [
  STEP(
    'typecheck (strict, tests included)',
    'tsc',
    '-p',
    'tsconfig.json',
    '--incremental',
    '--tsBuildInfoFile',
    path.join(CACHE, 'typecheck.tsbuildinfo'),
  ),
  STEP('eslint', 'eslint', '.'),
  STEP('prettier', 'prettier', '--check', '--cache', '--cache-strategy', 'content', '.'),
  STEP('openapi.yaml (Redocly)', 'redocly', 'lint', 'openapi.yaml'),
  STEP('openapi.yaml (Spectral oas)', 'spectral', 'lint', '--fail-severity=warn', 'openapi.yaml'),
  // --skip-build: dist/ was compiled above; the CLI would otherwise compile it again.
  STEP('zapier validate', 'zapier-platform', 'validate', '--without-style', '--skip-build'),
  STEP('zapier compat (against releases/)', 'node', '--import', 'tsx', 'scripts/zapier-compat.ts'),
];

interface Outcome {
  step: Step;
  code: number;
  seconds: number;
  output: string;
}

const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}`,
  DISABLE_ZAPIER_ANALYTICS: '1',
  // zapier-platform-core prints a memory report after every call unless NODE_ENV says test.
  NODE_ENV: process.env.NODE_ENV ?? 'test',
};

function run(step: Step, inherit = false): Promise<Outcome> {
  const started = process.hrtime.bigint();
  const [command, ...args] = step.command;
  const child = spawn(command, args, { cwd: REPO, env, stdio: inherit ? 'inherit' : 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    const done = (code: number) =>
      resolve({
        step,
        code,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        output,
      });
    child.on('error', (error) => {
      output += `${error.message}\n`;
      done(127);
    });
    child.on('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

function report({ step, code, seconds, output }: Outcome): void {
  const mark = code === 0 ? '✓' : '✗';
  console.log(`${mark} ${step.name} (${seconds.toFixed(1)} s)`);
  if (code !== 0) console.log(output.trimEnd().replace(/^/gm, '    '));
}

/** Runs the steps `width` at a time, reporting each as it ends. */
async function runAll(steps: Step[], width: number): Promise<Outcome[]> {
  const queue = [...steps];
  const outcomes: Outcome[] = [];
  const lane = async () => {
    for (let step = queue.shift(); step; step = queue.shift()) {
      const outcome = await run(step);
      report(outcome);
      outcomes.push(outcome);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return outcomes;
}

/** The summary of the JUnit file jest just wrote, or null if there is none. */
function testSummary(selected: boolean): TestSummary | null {
  try {
    return junitSummary(readFileSync(path.join(REPO, 'reports', 'junit.xml'), 'utf8'), selected);
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const jestArgs = process.argv.slice(2);
  const started = process.hrtime.bigint();
  // `npm run build`'s steps, each with its own line, then its stamp: npm start needs no rebuild.
  const { steps, finish } = planBuild();
  if (steps.length === 0) console.log('✓ dist/ already built from the current sources');
  for (const step of steps) {
    const outcome = await run(step);
    report(outcome);
    if (outcome.code !== 0) return outcome.code;
  }
  finish();
  let failed: Outcome[] = [];
  if (jestArgs.length === 0) {
    failed = (await runAll(CHECKS, 2)).filter((outcome) => outcome.code !== 0);
  } else {
    console.log(`- checks skipped: jest runs with ${jestArgs.join(' ')} only`);
  }
  console.log('▶ jest');
  rmSync(path.join(REPO, 'reports', 'junit.xml'), { force: true });
  const tests = await run(STEP('jest', 'jest', ...jestArgs), true);
  const total = Number(process.hrtime.bigint() - started) / 1e9;
  report(tests);
  const summary = testSummary(jestArgs.length > 0);
  if (summary) {
    console.log(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
    for (const [reason, count] of summary.skipReasons) console.log(`  ${count} skipped: ${reason}`);
  }
  if (tests.code !== 0) failed.push(tests);
  console.log(
    failed.length === 0
      ? `npm test passed in ${total.toFixed(0)} s`
      : `npm test failed in ${total.toFixed(0)} s: ${failed.map((outcome) => outcome.step.name).join(', ')}`,
  );
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
