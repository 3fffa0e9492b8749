/**
 * The store's figures as data grows: memory, restart time, write throughput and write latency
 * of the real mock (the compiled CLI in a child process, a durable database), on 127.0.0.1.
 *
 *   npm run bench:store            # 100,000 contacts
 *   npm run bench:store -- 20000   # another size
 *
 * Goals (issue 13): idle RSS ≤ 90 MB; RSS after the writes ≤ idle + 40 MB; restart to first
 * answer at full size ≤ an empty start + 100 ms; ≥ 4,000 durable writes/s at 16 connections;
 * POST /contacts latency at full size ≤ 1.5 × at 1,000 contacts. RSS is read in the server
 * after a forced GC (--expose-gc) and 2 s idle. Every step is bounded by its request count and
 * by the time limits below. The functions are exported for `npm run bench`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEMO_KEYS } from '../mock-server/store/seed';
import { MOCK_RUNTIME_FLAGS } from '../test/helpers/child';
import { DIST_CLI } from './lib/servers';

const PROBE = path.join(__dirname, 'rss-probe.js');
/** No step may take longer than this (a start, an RSS reading, one request). */
const STEP_LIMIT_MS = 60_000;

export interface BenchServer {
  process: ChildProcess;
  base: string;
  /** From spawn to the first answer of GET /__admin/health, in ms. */
  startMs: number;
}

/** Starts the compiled mock on `dbFile` and times it from spawn to its first answer. */
export async function startServer(dbFile: string): Promise<BenchServer> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '-r',
      PROBE,
      ...MOCK_RUNTIME_FLAGS,
      DIST_CLI,
      '--port',
      '0',
      '--db',
      dbFile,
      '--quiet',
    ],
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner:\n${output}`)), STEP_LIMIT_MS);
    const look = () => {
      const match = /listening on (http:\/\/[^\s]+)\/api\/zapier/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', look);
    child.on('exit', (code) => reject(new Error(`exited ${code}:\n${output}`)));
  });
  const health = await request(base, 'GET', '/__admin/health');
  if (health.status !== 200) throw new Error(`health answered ${health.status}`);
  return { process: child, base, startMs: performance.now() - started };
}

export async function stopServer(server: BenchServer): Promise<void> {
  const exited = new Promise((resolve) => server.process.once('exit', resolve));
  server.process.kill('SIGTERM');
  await exited;
}

/** The server's RSS in MB, after a forced GC and 2 s idle. */
export function serverRssMb(server: BenchServer): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no RSS answer')), STEP_LIMIT_MS);
    server.process.once('message', (message: { rss: number }) => {
      clearTimeout(timer);
      resolve(message.rss / 1024 / 1024);
    });
    server.process.send('rss');
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(
  base: string,
  method: string,
  url: string,
  body?: object,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body ? JSON.stringify(body) : undefined;
    const outgoing = http.request(
      `${base}${url}`,
      {
        method,
        agent,
        timeout: STEP_LIMIT_MS,
        headers: {
          'x-api-key': DEMO_KEYS.acme,
          ...(payload && {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          }),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${url}: timed out`)));
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

async function postContact(base: string, email: string): Promise<void> {
  const reply = await request(base, 'POST', '/api/zapier/contacts', { email, name: 'Bench' });
  if (reply.status !== 201)
    throw new Error(`POST /contacts answered ${reply.status}: ${reply.text}`);
}

/** Creates `count` contacts over `connections` connections; returns writes per second. */
export async function postContacts(
  base: string,
  count: number,
  connections: number,
  prefix: string,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < count) await postContact(base, `${prefix}${next++}@example.com`);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/** The median latency of `count` sequential POST /contacts, in ms. */
export async function postLatencyMs(base: string, count: number, prefix: string): Promise<number> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await postContact(base, `${prefix}${i}@example.com`);
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  return latencies[Math.floor(latencies.length / 2)];
}

export interface StoreFigures {
  contacts: number;
  idleRssMb: number;
  rssAfterWritesMb: number;
  rssAfterRestartMb: number;
  emptyStartMs: number;
  fullStartMs: number;
  writesPerSecond: number;
  latencySmallMs: number;
  latencyFullMs: number;
}

/** Takes every figure on a fresh database of `contacts` contacts, in a temporary directory. */
export async function measureStore(contacts: number): Promise<StoreFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatting-bench-'));
  const dbFile = path.join(dir, 'mock.sqlite');
  try {
    // An empty start, timed on a database of its own (the first start also creates it).
    const emptyFile = path.join(dir, 'empty.sqlite');
    await stopServer(await startServer(emptyFile));
    const empty = await startServer(emptyFile);
    await stopServer(empty);

    let server = await startServer(dbFile);
    const idleRssMb = await serverRssMb(server);
    await postContacts(server.base, 1000, 16, 'small');
    const latencySmallMs = await postLatencyMs(server.base, 500, 'latency-small');
    const writesPerSecond = await postContacts(server.base, contacts - 1500, 16, 'bulk');
    const latencyFullMs = await postLatencyMs(server.base, 500, 'latency-full');
    const rssAfterWritesMb = await serverRssMb(server);
    await stopServer(server);

    server = await startServer(dbFile);
    const fullStartMs = server.startMs;
    const rssAfterRestartMb = await serverRssMb(server);
    await stopServer(server);
    return {
      contacts,
      idleRssMb,
      rssAfterWritesMb,
      rssAfterRestartMb,
      emptyStartMs: empty.startMs,
      fullStartMs,
      writesPerSecond,
      latencySmallMs,
      latencyFullMs,
    };
  } finally {
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures as lines, each with its goal. */
export function describeFigures(f: StoreFigures): string[] {
  const n = f.contacts.toLocaleString('en-US');
  const mb = (value: number) => `${value.toFixed(1)} MB`;
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  return [
    `idle RSS                        ${mb(f.idleRssMb)} (goal ≤ 90 MB)`,
    `RSS after ${n} POST /contacts   ${mb(f.rssAfterWritesMb)} (+${mb(f.rssAfterWritesMb - f.idleRssMb)}; goal ≤ +40 MB)`,
    `RSS after restart at ${n}       ${mb(f.rssAfterRestartMb)}`,
    `start to first answer           empty ${ms(f.emptyStartMs)}, at ${n} contacts ${ms(f.fullStartMs)} (goal ≤ empty + 100 ms)`,
    `writes at 16 connections        ${Math.round(f.writesPerSecond)}/s durable (goal ≥ 4,000/s)`,
    `POST /contacts latency (median) ${f.latencySmallMs.toFixed(2)} ms at 1,000, ${f.latencyFullMs.toFixed(2)} ms at ${n} (×${(f.latencyFullMs / f.latencySmallMs).toFixed(2)}; goal ≤ 1.5×)`,
  ];
}

async function main(): Promise<void> {
  const contacts = Number(process.argv[2] ?? 100_000);
  if (!Number.isInteger(contacts) || contacts < 2000) throw new Error('contacts: at least 2000');
  console.log(
    `store benchmark, ${contacts.toLocaleString('en-US')} contacts (node ${process.version})`,
  );
  for (const line of describeFigures(await measureStore(contacts))) console.log(`  ${line}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
