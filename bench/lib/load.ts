/**
 * Load: autocannon 7.15 (8.0 sends a wrong content-length with idReplacement), 50 connections,
 * against servers on 127.0.0.1. A throughput figure is always a ratio to the bare server answering
 * the same body, measured in alternating windows of the same run, because the machine is shared.
 */
import autocannon from 'autocannon';
import { formatCount, judged, median, type Goal, type Plan, type Row } from './case';
import { startBare, type Running } from './servers';

export const CONNECTIONS = 50;

export interface Load {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Replace `[<id>]` in the body with a fresh id on every request (unique emails). */
  idReplacement?: boolean;
  /** The status every answer must have (checked on every request). */
  status: number;
}

/** Answers per second of one window; anything but the expected status is an error. */
export async function drive(base: string, load: Load, seconds: number): Promise<number> {
  const result = await autocannon({
    url: `${base}${load.path}`,
    method: load.method,
    headers: load.headers,
    body: load.body,
    idReplacement: load.idReplacement ?? false,
    connections: CONNECTIONS,
    duration: seconds,
    // autocannon stops at its first sample after the duration: sampling once a second would
    // stretch every window to a whole second.
    sampleInt: 100,
  });
  const expected = result[`${Math.floor(load.status / 100)}xx` as '2xx'];
  const total = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  if (result.errors > 0 || expected !== total || total === 0) {
    throw new Error(
      `${load.method} ${load.path}: ${total} answers, ${expected} with ${load.status}, ` +
        `${result.errors} errors (${result.timeouts} timeouts)`,
    );
  }
  return total / result.duration;
}

export interface Comparison {
  /** Median of the per-round ratios ours / bare. */
  ratio: number;
  /** Every round's ratio, lowest first: their spread is how far one window can be trusted. */
  rounds: number[];
  ours: number;
  bare: number;
}

/**
 * Ours against the bare server, in alternating windows (bare, ours, ours, bare, ...) after a
 * warm-up of each; every round's ratio is taken within the same few seconds.
 */
export async function compare(
  ours: Running,
  bare: Running,
  load: Load,
  plan: Plan,
): Promise<Comparison> {
  await drive(ours.base, load, plan.warmupS);
  await drive(bare.base, load, plan.warmupS);
  const ratios: number[] = [];
  const oursRates: number[] = [];
  const bareRates: number[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    const first = round % 2 === 0 ? 'bare' : 'ours';
    let oursRate = 0;
    let bareRate = 0;
    for (const which of first === 'bare' ? ['bare', 'ours'] : ['ours', 'bare']) {
      if (which === 'bare') bareRate = await drive(bare.base, load, plan.windowS);
      else oursRate = await drive(ours.base, load, plan.windowS);
    }
    ratios.push(oursRate / bareRate);
    oursRates.push(oursRate);
    bareRates.push(bareRate);
  }
  const rounds = ratios.sort((a, b) => a - b);
  return { ratio: median(rounds), rounds, ours: median(oursRates), bare: median(bareRates) };
}

/**
 * Ours against a bare server answering what ours answers to one sample of the load (same
 * status, same body bytes), started for this comparison only.
 */
export async function compareWithBare(ours: Running, load: Load, plan: Plan): Promise<Comparison> {
  const sample = await fetch(`${ours.base}${load.path}`, {
    method: load.method,
    headers: load.headers,
    body: load.body?.replaceAll('[<id>]', 'sample'),
  });
  const body = await sample.text();
  if (sample.status !== load.status) {
    throw new Error(`${load.method} ${load.path}: sample answered ${sample.status}: ${body}`);
  }
  const bare = await startBare(sample.status, body);
  try {
    return await compare(ours, bare, load, plan);
  } finally {
    await bare.stop();
  }
}

/** `rounds 0.55-0.68`: the lowest and highest round of a comparison. */
export function roundSpread(comparison: Comparison): string {
  const { rounds } = comparison;
  return `rounds ${rounds[0].toFixed(2)}-${rounds[rounds.length - 1].toFixed(2)}`;
}

/**
 * A comparison's row: its ratio judged, shown as
 * `0.62 × bare (31,200/s vs 50,300/s; rounds 0.55-0.68)`.
 */
export function ratioRow(name: string, goal: Goal, comparison: Comparison): Row {
  const shown =
    `${comparison.ratio.toFixed(2)} × bare ` +
    `(${formatCount(comparison.ours)}/s vs ${formatCount(comparison.bare)}/s; ` +
    `${roundSpread(comparison)})`;
  return judged(name, goal, comparison.ratio, shown);
}

/** A throughput case: a load against one running mock, judged as a ratio to bare. */
export interface RatioCase {
  name: string;
  load: Load;
  goal: Goal;
}

/** Runs each case against the mock in turn, each against its own bare server. */
export async function ratioRows(ours: Running, cases: RatioCase[], plan: Plan): Promise<Row[]> {
  const rows: Row[] = [];
  for (const { name, load, goal } of cases) {
    rows.push(ratioRow(name, goal, await compareWithBare(ours, load, plan)));
  }
  return rows;
}
