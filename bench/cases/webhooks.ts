/**
 * Webhook delivery, to a receiver in the bench's process on 127.0.0.1, from a mock on a durable
 * data file with the default delivery settings:
 * - throughput: the mock starts with a backlog of pending deliveries (seeded) and delivers
 *   them all; the rate is the deliveries received over the time from the first to the last;
 * - latency: contacts are created at 100 a second (POST /contacts, each raising contact.created
 *   for the subscribed receiver); each latency runs from sending the POST to receiving its
 *   delivery, so it includes the POST's own round trip.
 */
import { closeSync, fdatasyncSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ContactCreatedEvent } from '../../schemas/generated';
import { API_PREFIX } from '../../mock-server/api/prefix';
import { newDelivery } from '../../mock-server/events/raise';
import { demoSeed, DEMO_KEYS } from '../../mock-server/store/seed';
import { temporaryDirectory } from '../../test/helpers/mock';
import { sleep } from '../../test/helpers/receiver';
import { formatCount, info, judged, percentile, type BenchCase, type Row } from '../lib/case';
import { startMock } from '../lib/servers';

const EVENTS_PER_SECOND = 100;

/**
 * A receiver as lean as the bare server: it notes when each delivery arrived (and, for the
 * latency phase, the email it carries) and answers 200, so that it is not what limits the rate.
 */
async function startLeanReceiver(readEmails: () => boolean) {
  const arrivals: number[] = [];
  const emails: (string | null)[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      arrivals.push(performance.now());
      emails.push(
        readEmails()
          ? (JSON.parse(Buffer.concat(chunks).toString()) as ContactCreatedEvent).data.email
          : null,
      );
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    arrivals,
    emails,
    /** Resolves when `count` deliveries have arrived, or after `timeoutMs` anyway. */
    async waitFor(count: number, timeoutMs: number): Promise<void> {
      const deadline = performance.now() + timeoutMs;
      while (arrivals.length < count && performance.now() < deadline) await sleep(20);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Receiver = Awaited<ReturnType<typeof startLeanReceiver>>;

function seedWithBacklog(targetUrl: string, deliveries: number): object {
  const seed = demoSeed();
  const at = new Date().toISOString();
  seed.subscriptions.push({
    id: 'wh_bench',
    workspace_id: 'owner_123',
    event: 'contact.created',
    target_url: targetUrl,
    active: true,
    created_at: at,
    deactivated_at: null,
  });
  const event = seed.events.find((e) => e.workspace_id === 'owner_123');
  if (!event) throw new Error('the demo seed has no event for owner_123');
  for (let i = 0; i < deliveries; i++) {
    seed.deliveries.push(newDelivery(event, 'wh_bench', targetUrl, at));
  }
  return seed;
}

export const webhooks: BenchCase = {
  id: 'webhooks',
  async run(plan) {
    const backlog = plan.quick ? 500 : 20_000;
    let readEmails = false;
    const receiver = await startLeanReceiver(() => readEmails);
    const { dir, remove } = temporaryDirectory();
    try {
      const seedFile = path.join(dir, 'seed.json');
      writeFileSync(seedFile, JSON.stringify(seedWithBacklog(receiver.url, backlog)));
      const withBacklog = await startMock(['--db', path.join(dir, 'db.json'), '--seed', seedFile]);
      try {
        // Bounded: whatever arrived within the time is what the rate is computed from.
        await receiver.waitFor(backlog, plan.quick ? 10_000 : 60_000);
      } finally {
        await withBacklog.stop();
      }
      const { arrivals } = receiver;
      const seconds = (arrivals[arrivals.length - 1] - arrivals[0]) / 1000;
      const rate = (arrivals.length - 1) / seconds;
      const throughput = judged(
        'webhook deliveries, sustained',
        { kind: 'min', limit: 2000, text: '≥ 2,000 / s' },
        rate,
        `${formatCount(rate)}/s (${formatCount(arrivals.length)} of ${formatCount(backlog)} in ${seconds.toFixed(1)} s)`,
      );
      // Latency on a data file of its own: the backlog's is far bigger than a usual one.
      readEmails = true;
      const fresh = await startMock(['--db', path.join(dir, 'fresh', 'db.json')]);
      try {
        const measured = await latency(fresh.base, receiver, plan.quick ? 0.5 : 10);
        return [throughput, measured, diskSync(path.join(dir, 'sync-test'), plan.quick ? 30 : 300)];
      } finally {
        await fresh.stop();
      }
    } finally {
      await receiver.close();
      remove();
    }
  },
};

const post = (base: string, path: string, body: object) =>
  fetch(`${base}${API_PREFIX}${path}`, {
    method: 'POST',
    headers: { 'x-api-key': DEMO_KEYS.acme, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (reply) => {
    if (!reply.ok) throw new Error(`POST ${path} answered ${reply.status}: ${await reply.text()}`);
  });

/** Creates `count` contacts at 100 a second; returns when each POST was sent, by email. */
async function createAtRate(base: string, label: string, count: number) {
  const sentAt = new Map<string, number>();
  const posts: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    // On schedule, whatever the answers: the events happen at 100 a second.
    const due = started + (i * 1000) / EVENTS_PER_SECOND;
    await sleep(Math.max(0, due - performance.now()));
    const email = `${label}-${i}@example.com`;
    sentAt.set(email, performance.now());
    posts.push(post(base, '/contacts', { email }));
  }
  await Promise.all(posts);
  return sentAt;
}

async function latency(base: string, receiver: Receiver, seconds: number): Promise<Row> {
  const count = seconds * EVENTS_PER_SECOND;
  await post(base, '/webhooks/subscribe', { event: 'contact.created', target_url: receiver.url });
  // Events at the same rate first, not counted: what a fresh server compiles on first use.
  const warmUp = Math.min(EVENTS_PER_SECOND, count / 5);
  const beforeWarmUp = receiver.arrivals.length;
  await createAtRate(base, 'warm-up', warmUp);
  await receiver.waitFor(beforeWarmUp + warmUp, 10_000);
  const already = receiver.arrivals.length;
  const sentAt = await createAtRate(base, 'latency', count);
  await receiver.waitFor(already + count, 10_000);
  const latencies = receiver.emails
    .slice(already)
    .map((email, i) => receiver.arrivals[already + i] - (sentAt.get(email ?? '') ?? NaN));
  if (latencies.length < count || latencies.some(Number.isNaN)) {
    throw new Error(`${latencies.length} of ${count} deliveries arrived, or some unexpected`);
  }
  const p99 = percentile(latencies, 99);
  return judged(
    `event → delivery at ${EVENTS_PER_SECOND}/s, p99`,
    { kind: 'max', limit: 25, text: 'p99 ≤ 25 ms' },
    p99,
    `${p99.toFixed(1)} ms (p50 ${percentile(latencies, 50).toFixed(1)} ms, ${count} events)`,
  );
}

/**
 * The disk's own part of a latency: every event is answered, and delivered, only after its
 * journal line is synced, so the p99 of an event's delivery cannot beat the disk's p99 sync.
 */
function diskSync(file: string, count: number): Row {
  const fd = openSync(file, 'a');
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      writeSync(fd, `${'x'.repeat(1500)}\n`);
      fdatasyncSync(fd);
      times.push(performance.now() - started);
    }
  } finally {
    closeSync(fd);
  }
  const p99 = percentile(times, 99);
  return info(
    'this disk: append + fdatasync, p99',
    p99,
    `${p99.toFixed(1)} ms (p50 ${percentile(times, 50).toFixed(1)} ms, ${count} syncs)`,
  );
}
