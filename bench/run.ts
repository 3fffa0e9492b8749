/**
 * `npm run bench`: measures the mock and the app against their goals (bench/cases/) and prints
 * one table, also written as JSON and Markdown under bench/results/.
 *
 *   npm run bench                  full run (a few minutes); exits 1 if a goal is missed
 *   npm run bench -- --quick       smoke run (under 30 s): same cases, short windows, the slow
 *                                  build-size case skipped; goals are shown, never enforced
 *   npm run bench -- --only reads  some cases only (ids from bench/cases/index.ts, comma-separated)
 *
 * Every server is started by the bench in its own process on 127.0.0.1 (the compiled CLI, with
 * --memory or a temporary data file); dist/ is built first unless it is built from the sources
 * as they are (scripts/build.ts).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from '../scripts/build.mjs';
import { CASES } from './cases';
import { FULL_PLAN, QUICK_PLAN, unmeasured, type Row } from './lib/case';
import { startReport, table, writeReport } from './lib/report';

/** The bench measures the compiled mock and app, as users run them. */
function ensureBuilt(): void {
  const status = build(false, (stale) => {
    if (stale) console.log('dist/ is not built from the current sources: building it');
  });
  if (status !== 0) throw new Error('the build failed');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  const plan = values.quick ? QUICK_PLAN : FULL_PLAN;
  const only = values.only?.split(',');
  const unknown = only?.filter((id) => !CASES.some((c) => c.id === id)) ?? [];
  if (unknown.length > 0) {
    throw new Error(`no case ${unknown.join(', ')}; cases: ${CASES.map((c) => c.id).join(', ')}`);
  }
  ensureBuilt();
  const report = startReport(plan);
  const rows: Row[] = [];
  for (const benchCase of CASES.filter((c) => !only || only.includes(c.id))) {
    process.stdout.write(`${benchCase.id}...`);
    const started = Date.now();
    try {
      rows.push(...(await benchCase.run(plan)));
    } catch (error) {
      rows.push(unmeasured(benchCase.id, '-', 'failed', (error as Error).message.split('\n')[0]));
    }
    process.stdout.write(` ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const result = report.finish(rows);
  console.log(`\n${table(result)}`);
  console.log(`written to ${path.relative(process.cwd(), writeReport(result))}/`);
  const failed = rows.filter((row) => row.verdict === 'missed' || row.verdict === 'failed');
  if (failed.length > 0 && !plan.quick) {
    console.error(`${failed.length} goal(s) not met: ${failed.map((row) => row.name).join('; ')}`);
    process.exitCode = 1;
  }
  // A quick run is a smoke test of the harness: only a case that could not run fails it.
  if (plan.quick && rows.some((row) => row.verdict === 'failed')) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
