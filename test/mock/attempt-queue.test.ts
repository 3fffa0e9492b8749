/**
 * The deliverer's queue of due attempts (mock-server/events/attempt-queue.ts): targets take
 * turns; those that have not answered (silent or not yet tried) share half of the places, and a
 * silent one has one attempt out at a time.
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

/** One attempt to each origin, ending as `answered` says. */
function tried(queue: AttemptQueue, answered: boolean, ...origins: string[]): void {
  for (const origin of origins) {
    queue.add(`${origin} tried`, origin);
    assert.equal(queue.take()?.origin, origin);
    queue.ended(origin, answered);
  }
}

test('targets take turns, each in its own order of arrival', () => {
  const queue = new AttemptQueue(() => 8);
  tried(queue, true, A, B);
  for (const id of ['a1', 'a2', 'a3']) queue.add(id, A);
  queue.add('b1', B);
  queue.add('a4', A);
  assert.deepEqual(takeAll(queue), ['a1', 'b1', 'a2', 'a3', 'a4']);
});

test('an answering target may have as many attempts out as there are places', () => {
  const queue = new AttemptQueue(() => 2);
  tried(queue, true, A);
  for (const id of ['a1', 'a2', 'a3']) queue.add(id, A);
  assert.deepEqual(takeAll(queue), ['a1', 'a2']);
  queue.ended(A, true);
  assert.deepEqual(takeAll(queue), ['a3']);
});

test('a target not yet tried has one attempt out until it answers', () => {
  const queue = new AttemptQueue(() => 8);
  for (const id of ['a1', 'a2', 'a3', 'a4', 'a5', 'a6']) queue.add(id, A);
  assert.deepEqual(takeAll(queue), ['a1']);
  queue.ended(A, true);
  assert.deepEqual(takeAll(queue), ['a2', 'a3', 'a4', 'a5', 'a6'], 'it answered: every place');
});

test('a target that gave no answer has one attempt out until it answers again', () => {
  const queue = new AttemptQueue(() => 8);
  tried(queue, true, A, B);
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

test('targets that do not answer, however many, hold at most half of the places', () => {
  const queue = new AttemptQueue(() => 4);
  tried(queue, true, B);
  const hung = [5001, 5002, 5003, 5004, 5005, 5006].map((port) => `http://127.0.0.1:${port}`);
  // Never tried, then silent: each time two of them at most, and B's attempts beside them.
  for (const origin of hung) queue.add(`${origin} first`, origin);
  for (const id of ['b1', 'b2']) queue.add(id, B);
  assert.deepEqual(takeAll(queue), [
    'http://127.0.0.1:5001 first',
    'http://127.0.0.1:5002 first',
    'b1',
    'b2',
  ]);
  queue.ended(hung[0], false);
  queue.ended(hung[1], false);
  for (const origin of hung.slice(0, 2)) queue.add(`${origin} again`, origin);
  queue.add('b3', B);
  assert.deepEqual(takeAll(queue), [
    'http://127.0.0.1:5003 first',
    'http://127.0.0.1:5004 first',
    'b3',
  ]);
});

test('with one place, a silent target still takes its turn in it', () => {
  const queue = new AttemptQueue(() => 1);
  tried(queue, false, A);
  queue.add('a1', A);
  assert.deepEqual(takeAll(queue), ['a1']);
});

test('an attempt that sent nothing leaves what is known as it was; clear forgets it all', () => {
  const queue = new AttemptQueue(() => 8);
  tried(queue, false, A);
  queue.add('a2', A);
  takeAll(queue);
  queue.ended(A, null);
  for (const id of ['a3', 'a4']) queue.add(id, A);
  assert.deepEqual(takeAll(queue), ['a3'], 'still silent');
  queue.clear();
  assert.equal(queue.take(), null, 'nothing waits');
  queue.ended(A, null);
  queue.add('b1', B);
  for (const id of ['a5', 'a6']) queue.add(id, A);
  assert.deepEqual(takeAll(queue), ['b1', 'a5'], 'both new again: one attempt each');
});

test('attempts are grouped by origin: scheme, host and port', () => {
  assert.equal(originOf('http://127.0.0.1:4001/hooks/a?x=1'), A);
  assert.equal(originOf('http://user:secret@127.0.0.1:4001/b'), A);
  assert.notEqual(originOf('https://127.0.0.1:4001/a'), A);
});
