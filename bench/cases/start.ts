/**
 * Start-up: the mock as `chatting-mock` runs it (bench/lib/servers.ts) on a new data file to its first
 * answer (GET /me); `npm start` on a built tree to its banner, as a user types it (npm, the
 * build's freshness check, the mock); and the Zapier app's `require('./index.js')` against
 * `require('zapier-platform-core')` alone. Each is the median of fresh processes, the two
 * requires alternating.
 */
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { API_PREFIX } from '../../mock-server/api/prefix';
import { DEMO_KEYS } from '../../mock-server/store/seed';
import { REPO } from '../../test/helpers/child';
import { temporaryDirectory } from '../../test/helpers/mock';
import { judged, median, type BenchCase, type Row } from '../lib/case';
import { startMock } from '../lib/servers';

async function firstAnswerMs(dataFile: string): Promise<number> {
  const started = performance.now();
  const mock = await startMock(['--db', dataFile]);
  try {
    const reply = await fetch(`${mock.base}${API_PREFIX}/me`, {
      headers: { 'x-api-key': DEMO_KEYS.acme },
    });
    await reply.arrayBuffer();
    if (reply.status !== 200) throw new Error(`GET /me answered ${reply.status}`);
    return performance.now() - started;
  } finally {
    await mock.stop();
  }
}

/**
 * Milliseconds from running `npm start` to the banner's first line (the bench built dist/
 * first). npm and what it starts are one process group, ended together.
 */
async function npmStartMs(): Promise<number> {
  const started = performance.now();
  const npm = spawn('npm', ['start', '--silent', '--', '--memory', '--port', '0', '--quiet'], {
    cwd: REPO,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => npm.on('exit', resolve));
  let output = '';
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner after 60 s:\n${output}`)), 60_000);
      npm.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (!output.includes('listening on')) return;
        clearTimeout(timer);
        resolve(performance.now() - started);
      });
      npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      void exited.then(() => reject(new Error(`npm start exited:\n${output}`)));
    });
  } finally {
    process.kill(-(npm.pid as number), 'SIGTERM');
    await exited;
  }
}

/** Milliseconds a fresh node process takes to require this module. */
function requireMs(module: string): number {
  const script =
    'const t = process.hrtime.bigint();' +
    `require(${JSON.stringify(module)});` +
    'process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));' +
    'process.exit(0);';
  return Number(execFileSync(process.execPath, ['-e', script], { cwd: REPO, encoding: 'utf8' }));
}

/** A row judged on the median of `times` (ms), shown in seconds with the slowest. */
function secondsRow(name: string, limitMs: number, times: number[]): Row {
  const ms = median(times);
  const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;
  return judged(
    name,
    { kind: 'max', limit: limitMs, text: `≤ ${limitMs / 1000} s` },
    ms,
    `${seconds(ms)} (median of ${times.length}; slowest ${seconds(Math.max(...times))})`,
  );
}

export const start: BenchCase = {
  id: 'start',
  async run(plan) {
    const rows: Row[] = [];
    const { dir, remove } = temporaryDirectory();
    try {
      const times: number[] = [];
      for (let i = 0; i < plan.starts; i++) {
        times.push(await firstAnswerMs(path.join(dir, `run${i}`, 'db.json')));
      }
      rows.push(secondsRow('mock start to first answer, new data file', 300, times));
    } finally {
      remove();
    }
    const npmStarts: number[] = [];
    for (let i = 0; i < plan.starts; i++) npmStarts.push(await npmStartMs());
    rows.push(secondsRow('`npm start` on a built tree, to its banner', 2000, npmStarts));
    const app: number[] = [];
    const core: number[] = [];
    for (let i = 0; i < plan.starts; i++) {
      app.push(requireMs('./index.js'));
      core.push(requireMs('zapier-platform-core'));
    }
    const extra = median(app) - median(core);
    rows.push(
      judged(
        "app cold start: require('./index.js') vs zapier-platform-core",
        { kind: 'max', limit: 20, text: '≤ + 20 ms' },
        extra,
        `${extra >= 0 ? '+' : ''}${extra.toFixed(1)} ms (${median(app).toFixed(0)} vs ${median(core).toFixed(0)} ms, median of ${plan.starts})`,
      ),
    );
    return rows;
  },
};
