/**
 * Memory and latency under hostile input (issue 21): the `chatting-mock` command on a data file,
 * on 127.0.0.1, idle, then
 * - the contact growth attack: 350 upserts of one email, each merging 100 new custom fields;
 * - a journal flood: 1,200 bad requests of 160 KB each (a 60 KB header, a 100 KB body that is
 *   not JSON), then the whole journal read back;
 * - a flood over the body limit: 1,200 requests with the same header and a body just over the
 *   limit, each answered 413 by its Content-Length and closed (so one connection each);
 * - GET /me, 2,000 times in a row.
 * The server's highest RSS during the attacks (the kernel's peak, reset as they start) is
 * judged against idle (warmed: one request of each kind first, then 20 s of rest) + 100 MB; the
 * RSS after another 20 s idle is shown (V8 gives freed pages back to the system only once the
 * process has idled a while). GET /me is timed during the attacks (shown) and after them
 * (judged: p99 ≤ 50 ms).
 */
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { API_PREFIX } from '../../mock-server/api/prefix';
import { DEMO_KEYS } from '../../mock-server/store/seed';
import { temporaryDirectory } from '../../test/helpers/mock';
import { sleep } from '../../test/helpers/receiver';
import { info, judged, median, percentile, type BenchCase, type Plan } from '../lib/case';
import { peakRssMb, resetPeakRss, rssMb } from '../lib/memory';
import { startMockCommand, type Running } from '../lib/servers';

/** How much the attacks send, in a full run and in a quick one. */
function sizes(plan: Plan) {
  return plan.quick
    ? { upserts: 40, floods: 150, reads: 300, settleS: 0 }
    : { upserts: 350, floods: 1200, reads: 2000, settleS: 20 };
}

/** Requests in flight at once from each attacker. */
const CONCURRENCY = 8;
const FIELDS_PER_UPSERT = 100;
const FLOOD_HEADER = 60 * 1024;
/** Just under the API's 100 KiB body limit, so that the body is read and journaled. */
const FLOOD_BODY = 100 * 1024 - 64;
/** Just over it: answered before the body is read, and the connection closed. */
const OVER_LIMIT_BODY = 100 * 1024 + 64;

const agent = new http.Agent({ keepAlive: true, maxSockets: 2 * CONCURRENCY + 2 });

interface Sent {
  status: number;
  ms: number;
}

/** One request; resolves with its status and how long the answer took, in ms. */
function send(
  base: string,
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.request(
      `${base}${url}`,
      {
        method,
        agent,
        timeout: 60_000,
        headers: {
          'x-api-key': DEMO_KEYS.acme,
          ...headers,
          ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${method} ${url}: no answer in 60 s`)));
    request.on('error', reject);
    request.end(body);
  });
}

/** Runs job(0) … job(count - 1), `CONCURRENCY` at a time; resolves with the statuses seen. */
async function attack(count: number, job: (i: number) => Promise<Sent>): Promise<Set<number>> {
  const statuses = new Set<number>();
  let next = 0;
  const worker = async () => {
    while (next < count) statuses.add((await job(next++)).status);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return statuses;
}

/** GET /me, `count` times one after another: each answer's time in ms. */
async function timeMe(base: string, count: number, until?: () => boolean): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count || (until && !until()); i++) {
    const { status, ms } = await send(base, 'GET', `${API_PREFIX}/me`);
    if (status !== 200) throw new Error(`GET /me answered ${status}`);
    times.push(ms);
    if (until?.()) break;
  }
  return times;
}

/** The process's resident memory in MB (this case needs Linux's /proc). */
function residentMb(pid: number, read: (pid: number) => number | null): number {
  const mb = read(pid);
  if (mb === null) throw new Error(`no memory figures for process ${pid} (this case reads /proc)`);
  return mb;
}

const customFields = (i: number) =>
  Object.fromEntries(
    Array.from({ length: FIELDS_PER_UPSERT }, (_, f) => [`f${i}_${f}`, `value ${i} ${f}`]),
  );

export interface HostileFigures {
  idleMb: number;
  highestMb: number;
  /** After the attacks and settleS seconds idle. */
  settledMb: number;
  upsertStatuses: number[];
  floodStatuses: number[];
  overLimitStatuses: number[];
  during: number[];
  after: number[];
}

/** The attacks against one running mock. */
export async function measureHostile(mock: Running, plan: Plan): Promise<HostileFigures> {
  const { upserts, floods, reads, settleS } = sizes(plan);
  const { base, pid } = mock;
  // Idle means warmed and settled: each route compiles its schemas when first used (a one-time
  // cost of any server, not growth caused by callers), then V8 is left to give back what that
  // freed.
  await timeMe(base, 50);
  const json = { 'content-type': 'application/json' };
  const warm = JSON.stringify({ email: 'warm@example.com', customFields: customFields(-1) });
  await send(base, 'POST', `${API_PREFIX}/contacts`, json, warm);
  await send(base, 'POST', `${API_PREFIX}/contacts`, json, '{"email": ');
  await sleep(Math.max(2, settleS) * 1000);
  const idleMb = residentMb(pid, rssMb);
  resetPeakRss(pid);

  let attacking = true;
  const duringProbe = timeMe(base, 0, () => !attacking);
  const upsertStatuses = await attack(upserts, (i) =>
    send(
      base,
      'POST',
      `${API_PREFIX}/contacts`,
      json,
      JSON.stringify({ email: 'grown@example.com', customFields: customFields(i) }),
    ),
  );
  // `floods` requests of a 60 KB header and a body of `size` bytes that is not JSON.
  const headers = { ...json, 'x-filler': 'h'.repeat(FLOOD_HEADER) };
  const flood = (name: string, size: number) =>
    attack(floods, (i) => {
      const body = `{"email": "${name}-${i}@example.com", "name": "`.padEnd(size, 'b');
      return send(base, 'POST', `${API_PREFIX}/contacts`, headers, body);
    });
  const floodStatuses = await flood('flood', FLOOD_BODY);
  const overLimitStatuses = await flood('over', OVER_LIMIT_BODY);
  const journal = await send(base, 'GET', '/__admin/journal?limit=1000');
  if (journal.status !== 200) throw new Error(`GET /__admin/journal answered ${journal.status}`);
  attacking = false;
  const during = await duringProbe;

  const after = await timeMe(base, reads);
  const highestMb = residentMb(pid, peakRssMb);
  await sleep(settleS * 1000);
  return {
    idleMb,
    highestMb,
    settledMb: residentMb(pid, rssMb),
    upsertStatuses: [...upsertStatuses].sort(),
    floodStatuses: [...floodStatuses].sort(),
    overLimitStatuses: [...overLimitStatuses].sort(),
    during,
    after,
  };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

export const hostile: BenchCase = {
  id: 'hostile',
  async run(plan) {
    const { upserts, floods, reads } = sizes(plan);
    const { dir, remove } = temporaryDirectory();
    const mock = await startMockCommand(['--db', path.join(dir, 'mock.sqlite')]);
    let f: HostileFigures;
    try {
      f = await measureHostile(mock, plan);
    } finally {
      await mock.stop();
      remove();
    }
    const growth = f.highestMb - f.idleMb;
    const p99 = percentile(f.after, 99);
    return [
      judged(
        `RSS through ${upserts} growing upserts, 2 × ${floods} 160 KB bad requests (under and over the body limit), the journal read`,
        { kind: 'max', limit: 100, text: '≤ idle + 100 MB' },
        growth,
        `+${growth.toFixed(1)} MB at most (idle ${f.idleMb.toFixed(1)} MB, highest ` +
          `${f.highestMb.toFixed(1)}, ${f.settledMb.toFixed(1)} after ${sizes(plan).settleS} s idle; upserts answered ` +
          `${f.upsertStatuses.join('/')}, bad requests ${f.floodStatuses.join('/')}, ` +
          `over the limit ${f.overLimitStatuses.join('/')})`,
      ),
      judged(
        `GET /me after the attacks, p99 of ${reads}`,
        { kind: 'max', limit: 50, text: 'p99 ≤ 50 ms' },
        p99,
        `${ms(p99)} (p50 ${ms(median(f.after))})`,
      ),
      info(
        'GET /me during the attacks',
        percentile(f.during, 99),
        `p99 ${ms(percentile(f.during, 99))}, p50 ${ms(median(f.during))} (${f.during.length} requests)`,
      ),
    ];
  },
};
