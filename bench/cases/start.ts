/**
 * Start-up: the mock as `chatting-mock` runs it (bench/lib/servers.ts) on a new data file to its first
 * answer (GET /me), and the Zapier app's `require('./index.js')` against
 * `require('zapier-platform-core')` alone. Each is the median of fresh processes, the two
 * requires alternating.
 */
import { execFileSync } from 'node:child_process';
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

/** Milliseconds a fresh node process takes to require this module. */
function requireMs(module: string): number {
  const script =
    'const t = process.hrtime.bigint();' +
    `require(${JSON.stringify(module)});` +
    'process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));' +
    'process.exit(0);';
  return Number(execFileSync(process.execPath, ['-e', script], { cwd: REPO, encoding: 'utf8' }));
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
      const ms = median(times);
      rows.push(
        judged(
          'mock start to first answer, new data file',
          { kind: 'max', limit: 300, text: '≤ 0.3 s' },
          ms,
          `${(ms / 1000).toFixed(2)} s (median of ${plan.starts})`,
        ),
      );
    } finally {
      remove();
    }
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
