/**
 * The store's cases, measured by bench/store.ts (`npm run bench:store`, issue 13): RSS idle and
 * after N POST /contacts, restart at N against an empty start, durable writes at 16
 * connections, and POST latency at N contacts against 1,000. N is 100,000 (2,000 in --quick).
 */
import { measureStore } from '../store';
import { formatCount, judged, type BenchCase } from '../lib/case';

export const store: BenchCase = {
  id: 'store',
  async run(plan) {
    const f = await measureStore(plan.quick ? 2000 : 100_000);
    const n = formatCount(f.contacts);
    const growth = f.rssAfterWritesMb - f.idleRssMb;
    const latency = f.latencyFullMs / f.latencySmallMs;
    return [
      judged(
        `POST /contacts latency at ${n} contacts vs 1,000`,
        { kind: 'max', limit: 1.5, text: '≤ 1.5 ×' },
        latency,
        `${latency.toFixed(2)} × (median ${f.latencyFullMs.toFixed(2)} vs ${f.latencySmallMs.toFixed(2)} ms)`,
      ),
      judged(
        'RSS idle',
        { kind: 'max', limit: 90, text: '≤ 90 MB' },
        f.idleRssMb,
        `${f.idleRssMb.toFixed(1)} MB`,
      ),
      judged(
        `RSS after ${n} POST /contacts`,
        { kind: 'max', limit: 40, text: '≤ idle + 40 MB' },
        growth,
        `+${growth.toFixed(1)} MB (${f.rssAfterWritesMb.toFixed(1)} MB)`,
      ),
      judged(
        `restart to first answer at ${n} contacts`,
        { kind: 'max', limit: 100, text: '≤ empty start + 100 ms' },
        f.fullStartMs - f.emptyStartMs,
        `${f.fullStartMs.toFixed(0)} ms (empty: ${f.emptyStartMs.toFixed(0)} ms)`,
      ),
      judged(
        'POST /contacts durable, 16 connections',
        { kind: 'min', limit: 4000, text: '≥ 4,000 / s' },
        f.writesPerSecond,
        `${formatCount(f.writesPerSecond)}/s`,
      ),
    ];
  },
};
