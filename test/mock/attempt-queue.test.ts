/**
 * The deliverer's queue of due attempts (mock-server/events/attempt-queue.ts): targets take
 * turns, and one that last gave no answer has one attempt out at a time.
 */
import assert from 'node:assert/strict';
import { AttemptQueue, originOf } from '../../mock-server/events/attempt-queue';

const A = 'http://127.0.0.1:4001';
const B = 'http://127.0.0.1:4002';

/** Takes attempts until none may start, as the deliverer does while it has places. */
function takeAll(queue: AttemptQueue): string[] {
  const taken: string[] = [];
  for (let next = queue.take(); next; next = queue.take()) taken.push(next.id);
  return taken;
}

test('targets take turns, each in its own order of arrival', () => {
  const queue = new AttemptQueue(() => 8);
  for (const id of ['a1', 'a2', 'a3']) queue.add(id, A);
  queue.add('b1', B);
  queue.add('a4', A);
  assert.deepEqual(takeAll(queue), ['a1', 'b1', 'a2', 'a3', 'a4']);
});

test('a target may have as many attempts out as there are places', () => {
  const queue = new AttemptQueue(() => 2);
  for (const id of ['a1', 'a2', 'a3']) queue.add(id, A);
  assert.deepEqual(takeAll(queue), ['a1', 'a2']);
  queue.ended(A, true);
  assert.deepEqual(takeAll(queue), ['a3']);
});

test('a target that gave no answer has one attempt out until it answers again', () => {
  const queue = new AttemptQueue(() => 8);
  for (const id of ['a1', 'a2', 'a3', 'a4']) queue.add(id, A);
  assert.deepEqual(takeAll(queue), ['a1', 'a2', 'a3', 'a4']);
  for (const id of ['a5', 'a6']) queue.add(id, A);
  queue.add('b1', B);
  // a1 timed out: A is silent, and three of its attempts are still out.
  queue.ended(A, false);
  assert.deepEqual(takeAll(queue), ['b1'], 'another target goes on; A waits');
  for (let out = 3; out > 0; out--) queue.ended(A, false);
  assert.deepEqual(takeAll(queue), ['a5'], 'one at a time');
  // An answer (any status) ends the silence.
  queue.ended(A, true);
  assert.deepEqual(takeAll(queue), ['a6']);
  queue.add('a7', A);
  assert.deepEqual(takeAll(queue), ['a7']);
});

test('silent targets together hold at most half of the places, however many there are', () => {
  const queue = new AttemptQueue(() => 4);
  const silentOrigins = [5001, 5002, 5003, 5004].map((port) => `http://127.0.0.1:${port}`);
  for (const origin of silentOrigins) queue.add(`${origin} first`, origin);
  assert.equal(takeAll(queue).length, 4, 'not yet known to be silent: every place');
  for (const origin of silentOrigins) queue.ended(origin, false);
  for (const origin of silentOrigins) queue.add(`${origin} again`, origin);
  for (const id of ['b1', 'b2', 'b3']) queue.add(id, B);
  assert.deepEqual(takeAll(queue), [
    'http://127.0.0.1:5001 again',
    'http://127.0.0.1:5002 again',
    'b1',
    'b2',
    'b3',
  ]);
  // One silent attempt ends: one more silent origin may go, still two at most.
  queue.ended(silentOrigins[0], false);
  assert.deepEqual(takeAll(queue), ['http://127.0.0.1:5003 again']);
});

test('an attempt that sent nothing leaves the silence as it was; clear drops what waits and what is known', () => {
  const queue = new AttemptQueue(() => 8);
  queue.add('a1', A);
  takeAll(queue);
  queue.ended(A, false);
  queue.add('a2', A);
  takeAll(queue);
  queue.ended(A, null);
  for (const id of ['a3', 'a4']) queue.add(id, A);
  assert.deepEqual(takeAll(queue), ['a3'], 'still silent');
  queue.clear();
  assert.equal(queue.take(), null, 'nothing waits');
  queue.ended(A, null);
  for (const id of ['a5', 'a6']) queue.add(id, A);
  assert.deepEqual(takeAll(queue), ['a5', 'a6'], 'a reset forgets the silence');
});

test('attempts are grouped by origin: scheme, host and port', () => {
  assert.equal(originOf('http://127.0.0.1:4001/hooks/a?x=1'), A);
  assert.equal(originOf('http://user:secret@127.0.0.1:4001/b'), A);
  assert.notEqual(originOf('https://127.0.0.1:4001/a'), A);
});
