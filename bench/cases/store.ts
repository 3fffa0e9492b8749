/**
 * The store's cases (idle RSS, RSS after 100k contacts, restart at 100k, write throughput at
 * 16 connections, POST latency at 100k vs 1k) come from bench/store.ts, which issue 13 adds
 * with the store on node:sqlite. Until it lands they are listed as pending, not measured.
 * To plug them in: call its exported functions here and return one `judged` row per figure.
 */
import { unmeasured, type BenchCase } from '../lib/case';

const PENDING: [name: string, goal: string][] = [
  ['POST /contacts latency at 100k contacts vs 1k', '≤ 1.5 ×'],
  ['RSS idle (after GC and 2 s idle)', '≤ 90 MB'],
  ['RSS after 100k contacts', '≤ idle + 40 MB'],
  ['restart to first answer at 100k contacts', '≤ empty start + 100 ms'],
  ['POST /contacts throughput, 16 connections', '-'],
];

export const store: BenchCase = {
  id: 'store',
  run: () =>
    Promise.resolve(
      PENDING.map(([name, goal]) => unmeasured(name, goal, 'pending', 'pending issue 13')),
    ),
};
