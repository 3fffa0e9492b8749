/**
 * kill -9 at any moment loses no acknowledged write and never leaves a broken database: a real
 * child process takes concurrent writes, is killed mid-load several times, and every id it
 * acknowledged must be there after restart (which also shows the lock died with the process).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { call, temporaryDirectory } from '../helpers/mock';
import { startChild } from '../helpers/child';

const ROUNDS = 4;
const WRITERS = 8;

test('every acknowledged write survives kill -9, round after round', async () => {
  const { dir, remove } = temporaryDirectory();
  const dbFile = path.join(dir, 'mock.sqlite');
  const acknowledged = new Set<string>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const child = await startChild(['--db', dbFile, '--quiet']);
      let running = true;
      let written = 0;
      const writer = async (w: number) => {
        for (let i = 0; running; i++) {
          try {
            const reply = await call(child.base, 'POST', '/api/zapier/contacts', {
              body: { email: `r${round}w${w}i${i}@example.com`, name: 'Durable' },
            });
            if (reply.status === 201) {
              acknowledged.add(reply.body.id as string);
              written++;
            }
          } catch {
            return; // the server is gone: this write was never acknowledged
          }
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
      // Kill after a random amount of work, so the kill lands anywhere in a write.
      const target = 40 + Math.floor(Math.random() * 120);
      while (written < target) await new Promise((resolve) => setTimeout(resolve, 5));
      child.process.kill('SIGKILL');
      running = false;
      await child.exited;
      await Promise.all(writers);
    }

    const child = await startChild(['--db', dbFile, '--quiet']);
    try {
      const reply = await call(child.base, 'GET', '/__admin/db/contacts', { key: null });
      const stored = new Set((reply.body as { id: string }[]).map((contact) => contact.id));
      const lost = [...acknowledged].filter((id) => !stored.has(id));
      assert.ok(acknowledged.size > ROUNDS * 40, `only ${acknowledged.size} writes`);
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.size} acknowledged writes lost`);
    } finally {
      child.process.kill('SIGTERM');
      assert.equal(await child.exited, 0);
    }
  } finally {
    remove();
  }
});
