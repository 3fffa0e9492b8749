/**
 * What a bench case is: a module that measures one or more figures and judges each against its
 * goal. The runner (bench/run.ts) takes its cases from the list in bench/cases/index.ts.
 */

export interface Plan {
  /** `--quick`: a smoke run (short windows, fewer repetitions); its goals are not enforced. */
  quick: boolean;
  /** Seconds of load before measuring, per server (JIT, connections). */
  warmupS: number;
  /** Alternating windows (bare, ours) per throughput case; the median ratio is reported. */
  rounds: number;
  /** Seconds of load per window. */
  windowS: number;
  /** Fresh processes per start-up figure (the median is reported). */
  starts: number;
}

export const FULL_PLAN: Plan = { quick: false, warmupS: 1, rounds: 5, windowS: 1, starts: 10 };
export const QUICK_PLAN: Plan = { quick: true, warmupS: 0.2, rounds: 1, windowS: 0.5, starts: 3 };

/** A goal: the measured value must be at least (min) or at most (max) the limit. */
export interface Goal {
  kind: 'min' | 'max';
  limit: number;
  /** How the goal reads in the table: `≥ 0.6 × bare`. */
  text: string;
}

/** `info`: a figure without a goal, shown to read the others by (the disk's sync time). */
export type Verdict = 'met' | 'missed' | 'pending' | 'skipped' | 'failed' | 'info';

export interface Row {
  name: string;
  goal: string;
  /** The figure judged against the goal (null when nothing was measured). */
  value: number | null;
  /** The figure as the table shows it, with what it was computed from. */
  shown: string;
  verdict: Verdict;
}

export interface BenchCase {
  /** For `--only`: `npm run bench -- --only reads`. */
  id: string;
  run(plan: Plan): Promise<Row[]>;
}

export function judged(name: string, goal: Goal, value: number, shown: string): Row {
  const met = goal.kind === 'min' ? value >= goal.limit : value <= goal.limit;
  return { name, goal: goal.text, value, shown, verdict: met ? 'met' : 'missed' };
}

export function info(name: string, value: number, shown: string): Row {
  return { name, goal: '-', value, shown, verdict: 'info' };
}

/** A row without a figure: pending (another issue's case), skipped (quick mode) or failed. */
export function unmeasured(name: string, goal: string, verdict: Verdict, why: string): Row {
  return { name, goal, value: null, shown: why, verdict };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The p-th percentile (nearest rank) of some numbers. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const formatCount = (n: number): string => Math.round(n).toLocaleString('en-US');
