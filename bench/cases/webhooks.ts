/**
 * Webhook delivery, to a receiver in the bench's process on 127.0.0.1, from a mock on a durable
 * data file with the default delivery settings:
 * - throughput: the mock starts with a backlog of pending deliveries (seeded) and delivers
 *   them all; the rate is the deliveries received over the time from the first to the last;
 * - latency: contacts are created at 100 a second (POST /contacts, each raising contact.created
 *   for the subscribed receiver); each latency runs from sending the POST to receiving its
 *   delivery, so it includes the POST's own round trip.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ContactCreatedEvent } from '../../schemas/generated';
import { API_PREFIX } from '../../mock-server/api/prefix';
import { newDelivery } from '../../mock-server/events/raise';
import { demoSeed, DEMO_KEYS } from '../../mock-server/store/seed';
import { temporaryDirectory } from '../../test/helpers/mock';
import { sleep, startReceiver } from '../../test/helpers/receiver';
import { formatCount, judged, percentile, type BenchCase, type Row } from '../lib/case';
import { startMock } from '../lib/servers';

const EVENTS_PER_SECOND = 100;

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
    const backlog = plan.quick ? 1000 : 20_000;
    const arrivals: number[] = [];
    const receiver = await startReceiver(() => {
      arrivals.push(performance.now());
      return {};
    });
    const { dir, remove } = temporaryDirectory();
    const rows: Row[] = [];
    try {
      const seedFile = path.join(dir, 'seed.json');
      writeFileSync(seedFile, JSON.stringify(seedWithBacklog(receiver.url(), backlog)));
      const ours = await startMock(['--db', path.join(dir, 'db.json'), '--seed', seedFile]);
      try {
        // Bounded: whatever arrived within the time is what the rate is computed from.
        await receiver.waitFor(backlog, plan.quick ? 10_000 : 60_000).catch(() => undefined);
        const seconds = (arrivals[arrivals.length - 1] - arrivals[0]) / 1000;
        const rate = (arrivals.length - 1) / seconds;
        rows.push(
          judged(
            'webhook deliveries, sustained',
            { kind: 'min', limit: 2000, text: '≥ 2,000 / s' },
            rate,
            `${formatCount(rate)}/s (${formatCount(arrivals.length)} of ${formatCount(backlog)} in ${seconds.toFixed(1)} s)`,
          ),
        );
        rows.push(await latency(ours.base, receiver, arrivals, plan.quick ? 1 : 10));
      } finally {
        await ours.stop();
      }
    } finally {
      await receiver.close();
      remove();
    }
    return rows;
  },
};

async function latency(
  base: string,
  receiver: Awaited<ReturnType<typeof startReceiver>>,
  arrivals: number[],
  seconds: number,
): Promise<Row> {
  const already = receiver.received.length;
  const count = seconds * EVENTS_PER_SECOND;
  const sentAt = new Map<string, number>();
  const posts: Promise<unknown>[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    // On schedule, whatever the answers: the events arrive at 100 a second.
    const due = started + (i * 1000) / EVENTS_PER_SECOND;
    await sleep(Math.max(0, due - performance.now()));
    const email = `latency-${i}@example.com`;
    sentAt.set(email, performance.now());
    posts.push(
      fetch(`${base}${API_PREFIX}/contacts`, {
        method: 'POST',
        headers: { 'x-api-key': DEMO_KEYS.acme, 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      }).then((reply) => reply.arrayBuffer()),
    );
  }
  await Promise.all(posts);
  const deliveries = await receiver.waitFor(already + count, 10_000);
  const latencies = deliveries.slice(already).map((delivery, i) => {
    const email = (delivery.body as ContactCreatedEvent).data.email;
    return arrivals[already + i] - (sentAt.get(email) ?? NaN);
  });
  const p99 = percentile(latencies, 99);
  return judged(
    `event → delivery at ${EVENTS_PER_SECOND}/s, p99`,
    { kind: 'max', limit: 25, text: 'p99 ≤ 25 ms' },
    p99,
    `${p99.toFixed(1)} ms (p50 ${percentile(latencies, 50).toFixed(1)} ms, ${count} events)`,
  );
}
