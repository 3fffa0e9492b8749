/**
 * Write cost against data size: starts the real mock (a child process, durable database) seeded
 * with N contacts, then measures POST /contacts: latency of sequential writes (each one answered
 * only after its commit is synced) and throughput with concurrent writers.
 *
 *   npm run bench:writes               # N = 1,000 and 100,000
 *   npm run bench:writes -- 1000 50000 # other sizes
 *
 * Only 127.0.0.1 is used; every run is bounded by its request counts.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Contact } from '../schemas/generated';
import { demoSeed, DEMO_KEYS } from '../mock-server/store/seed';
import { startChild } from '../test/helpers/child';
import { call, temporaryDirectory } from '../test/helpers/mock';

const SEQUENTIAL = 1000;
const CONCURRENT = 4000;
const WRITERS = 16;

function seedWith(contacts: number): object {
  const seed = demoSeed();
  for (let i = 0; i < contacts; i++) {
    const contact: Contact = {
      id: `contact_seed${i}`,
      workspace_id: 'owner_123',
      site_id: 'site_acme',
      email: `seed${i}@example.com`,
      name: `Seed Contact ${i}`,
      phone: '+1 555 000 0000',
      company: 'Seed Co',
      status: 'lead',
      tags: ['seed'],
      customFields: { index: i },
      source: 'api',
      created_at: '2026-04-01T00:00:00.000Z',
      updated_at: '2026-04-01T00:00:00.000Z',
    };
    seed.contacts.push(contact);
  }
  return seed;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(contacts: number): Promise<void> {
  const { dir, remove } = temporaryDirectory();
  try {
    const seedFile = path.join(dir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify(seedWith(contacts)));
    const child = await startChild([
      '--db',
      path.join(dir, 'mock.sqlite'),
      '--seed',
      seedFile,
      '--quiet',
    ]);
    try {
      const post = (email: string) =>
        call(child.base, 'POST', '/api/zapier/contacts', {
          key: DEMO_KEYS.acme,
          body: { email, name: 'Bench' },
        });
      for (let i = 0; i < 200; i++) await post(`warm${i}@example.com`); // JIT and connections

      const latencies: number[] = [];
      for (let i = 0; i < SEQUENTIAL; i++) {
        const started = performance.now();
        const reply = await post(`seq${i}@example.com`);
        latencies.push(performance.now() - started);
        if (reply.status !== 201) throw new Error(`unexpected ${reply.status}`);
      }
      latencies.sort((a, b) => a - b);

      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (next < CONCURRENT) await post(`conc${next++}@example.com`);
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
      console.log(
        `${contacts.toLocaleString('en-US').padStart(9)} contacts | sequential: mean ${mean.toFixed(2)} ms, ` +
          `p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms | ` +
          `${WRITERS} writers: ${Math.round(CONCURRENT / seconds)} writes/s`,
      );
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
    }
  } finally {
    remove();
  }
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  console.log(`POST /contacts on a durable database (node ${process.version})`);
  for (const size of sizes.length > 0 ? sizes : [1000, 100_000]) await measure(size);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
