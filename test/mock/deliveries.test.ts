import assert from 'node:assert/strict';
import path from 'node:path';
import { validate } from '../../schemas/validator';
import {
  assertError,
  DEMO_KEYS,
  startMock,
  temporaryDirectory,
  type RunningMock,
} from '../helpers/mock';
import { withWritesRefused } from '../helpers/database';
import { startReceiver, until, type Receiver } from '../helpers/receiver';

const API = '/api/zapier';
const FAST = { attempts: 5, backoffMs: 20, timeoutMs: 2000, concurrency: 8 };
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function mockWith(options: Parameters<typeof startMock>[0] = {}): Promise<RunningMock> {
  const mock = await startMock({ delivery: FAST, ...options });
  cleanup.push(() => mock.stop());
  return mock;
}

async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const started = await startReceiver(answer);
  cleanup.push(() => started.close());
  return started;
}

async function subscribe(
  mock: RunningMock,
  event: string,
  target: string,
  key: string = DEMO_KEYS.acme,
): Promise<string> {
  const reply = await mock.request('POST', `${API}/webhooks/subscribe`, {
    key,
    body: { event, target_url: target },
  });
  assert.equal(reply.status, 201, reply.text);
  return reply.body.id as string;
}

async function fire(
  mock: RunningMock,
  event: string,
  data: object = {},
  workspace_id = 'owner_123',
) {
  const reply = await mock.request('POST', '/__admin/events', {
    key: null,
    body: { workspace_id, event, data },
  });
  assert.equal(reply.status, 201, reply.text);
  return reply.body as { event: { event: string }; deliveries: number };
}

const deliveriesOf = (mock: RunningMock, subscription: string) =>
  mock.server.services.store.all('deliveries').filter((d) => d.subscription_id === subscription);

describe('webhook deliveries', () => {
  for (const event of [
    'conversation.created',
    'conversation.resolved',
    'contact.created',
    'tag.added',
  ]) {
    test(`${event} reaches each matching subscription once, with the exact payload`, async () => {
      const mock = await mockWith();
      const [a, b, other, otherWorkspace] = await Promise.all([
        receiver(),
        receiver(),
        receiver(),
        receiver(),
      ]);
      await subscribe(mock, event, a.url());
      await subscribe(mock, event, b.url('/second'));
      const otherEvent = event === 'tag.added' ? 'contact.created' : 'tag.added';
      await subscribe(mock, otherEvent, other.url());
      await subscribe(mock, event, otherWorkspace.url(), DEMO_KEYS.globex);

      // Act on an existing conversation so that no other event happens on the way.
      const data =
        event === 'conversation.resolved' || event === 'tag.added'
          ? { conversation_id: 'conv_124' }
          : {};
      const fired = await fire(mock, event, data);
      assert.equal(fired.deliveries, 2);
      assert.ok(validate('events/event', fired.event).valid);

      for (const target of [a, b]) {
        const [delivery] = await target.waitFor(1);
        assert.deepEqual(delivery.body, fired.event);
        assert.match(String(delivery.headers['content-type']), /^application\/json/);
        assert.match(String(delivery.headers['user-agent']), /chatting-mock/);
        assert.equal(delivery.headers['x-chatting-event'], event);
        assert.match(String(delivery.headers['x-chatting-delivery']), /^dlv_/);
      }
      assert.equal(b.received[0].path, '/second');
      await until(() => mock.server.services.deliverer.pending === 0, 'deliveries to settle');
      assert.equal(a.received.length, 1, 'exactly once');
      assert.equal(b.received.length, 1, 'exactly once');
      assert.equal(other.received.length, 0, 'another event never arrives');
      assert.equal(otherWorkspace.received.length, 0, 'another workspace never receives');
    });
  }

  test('POST /contacts raises contact.created and delivers it', async () => {
    const mock = await mockWith();
    const target = await receiver();
    await subscribe(mock, 'contact.created', target.url());
    const created = await mock.request('POST', `${API}/contacts`, {
      body: { email: 'hooked@example.com', name: 'Hook' },
    });
    const [delivery] = await target.waitFor(1);
    assert.equal((delivery.body as { data__contact_id: string }).data__contact_id, created.body.id);
    assert.ok(validate('events/contact-created', delivery.body).valid);
  });

  test('a receiver that fails twice, then succeeds, gets three attempts', async () => {
    const mock = await mockWith();
    const target = await receiver((call) => ({ status: call <= 2 ? 503 : 200 }));
    const subscription = await subscribe(mock, 'tag.added', target.url());
    await fire(mock, 'tag.added', { conversation_id: 'conv_124' });
    await target.waitFor(3);
    await until(() => deliveriesOf(mock, subscription)[0]?.status === 'delivered', 'delivered');
    const [delivery] = deliveriesOf(mock, subscription);
    assert.equal(delivery.attempts, 3);
    assert.deepEqual(
      delivery.history.map((attempt) => attempt.status_code),
      [503, 503, 200],
    );
    assert.equal(target.received.length, 3);
    assert.deepEqual(
      target.received.map((r) => r.headers['x-chatting-attempt']),
      ['1', '2', '3'],
    );
    assert.equal(new Set(target.received.map((r) => r.headers['x-chatting-delivery'])).size, 1);
  });

  test('410 Gone deactivates the subscription: nothing more is sent to it', async () => {
    const mock = await mockWith();
    const target = await receiver(() => ({ status: 410 }));
    const subscription = await subscribe(mock, 'tag.added', target.url());
    await fire(mock, 'tag.added', { conversation_id: 'conv_124' });
    await until(() => deliveriesOf(mock, subscription)[0]?.status === 'gone', 'gone');
    assert.equal(mock.server.services.store.get('subscriptions', subscription)?.active, false);
    const again = await fire(mock, 'tag.added', { conversation_id: 'conv_124', tag: 'later' });
    assert.equal(again.deliveries, 0);
    assert.equal(target.received.length, 1);
  });

  test('attempts stop at the limit: failed', async () => {
    const mock = await mockWith({ delivery: { ...FAST, attempts: 3 } });
    const target = await receiver(() => ({ status: 500 }));
    const subscription = await subscribe(mock, 'tag.added', target.url());
    await fire(mock, 'tag.added', { conversation_id: 'conv_124' });
    await until(() => deliveriesOf(mock, subscription)[0]?.status === 'failed', 'failed');
    assert.equal(target.received.length, 3);
  });

  test('any other failure (a 4xx, a redirect) is retried, and a redirect is never followed', async () => {
    const mock = await mockWith({ delivery: { ...FAST, attempts: 2 } });
    const elsewhere = await receiver();
    const refusing = await receiver(() => ({ status: 400 }));
    const redirecting = await receiver(() => ({
      status: 307,
      headers: { location: elsewhere.url() },
    }));
    const refused = await subscribe(mock, 'tag.added', refusing.url());
    const redirected = await subscribe(mock, 'tag.added', redirecting.url());
    await fire(mock, 'tag.added', { conversation_id: 'conv_124' });
    await until(
      () => [refused, redirected].every((id) => deliveriesOf(mock, id)[0]?.status === 'failed'),
      'both failed',
    );
    assert.equal(refusing.received.length, 2);
    assert.equal(redirecting.received.length, 2);
    assert.equal(elsewhere.received.length, 0);
  });

  test('a target URL with credentials gets them as basic auth', async () => {
    const mock = await mockWith();
    const target = await receiver();
    await subscribe(mock, 'tag.added', target.url().replace('http://', 'http://zap:s%40cret@'));
    await fire(mock, 'tag.added', { conversation_id: 'conv_124' });
    const [delivery] = await target.waitFor(1);
    assert.equal(
      delivery.headers.authorization,
      `Basic ${Buffer.from('zap:s@cret').toString('base64')}`,
    );
  });

  test('429 is retried after its Retry-After', async () => {
    const mock = await mockWith();
    const target = await receiver((call) =>
      call === 1 ? { status: 429, headers: { 'retry-after': '1' } } : {},
    );
    const subscription = await subscribe(mock, 'tag.added', target.url());
    await fire(mock, 'tag.added', { conversation_id: 'conv_124' });
    await until(() => deliveriesOf(mock, subscription)[0]?.status === 'delivered', 'delivered');
    const [first, second] = deliveriesOf(mock, subscription)[0].history;
    const gap = Date.parse(second.started_at) - Date.parse(first.started_at);
    assert.ok(gap >= 950, `retried after ${gap} ms, not after Retry-After: 1`);
  });

  test('a timeout is retried', async () => {
    const mock = await mockWith({ delivery: { ...FAST, timeoutMs: 150 } });
    const target = await receiver((call) => (call === 1 ? { delayMs: 1000 } : {}));
    const subscription = await subscribe(mock, 'tag.added', target.url());
    await fire(mock, 'tag.added', { conversation_id: 'conv_124' });
    await until(() => deliveriesOf(mock, subscription)[0]?.status === 'delivered', 'delivered');
    const [first] = deliveriesOf(mock, subscription)[0].history;
    assert.match(first.error ?? '', /timeout/);
  });

  test('a target that stops answering has one attempt out at a time; other workspaces go on beside it', async () => {
    const timeoutMs = 300;
    const mock = await mockWith({ delivery: { ...FAST, attempts: 3, timeoutMs, concurrency: 2 } });
    // A target that takes every request and never answers: each attempt ends at its timeout.
    const silent = await receiver(() => ({ held: new Promise(() => undefined) }));
    const healthy = await receiver();
    const silentOnes: string[] = [];
    for (const path of ['/a', '/b', '/c']) {
      silentOnes.push(await subscribe(mock, 'conversation.created', silent.url(path)));
    }
    await fire(mock, 'conversation.created');
    const silentAttempts = () =>
      silentOnes.flatMap((id) => deliveriesOf(mock, id).flatMap((delivery) => delivery.history));
    await until(() => silentAttempts().length >= 1, 'the first attempt timed out');

    await subscribe(mock, 'contact.created', healthy.url(), DEMO_KEYS.globex);
    await fire(mock, 'contact.created', {}, 'owner_456');
    await healthy.waitFor(1);
    assert.ok(
      silentOnes.some((id) => deliveriesOf(mock, id)[0].status === 'pending'),
      "delivered while the silent target's deliveries were still being tried",
    );

    await until(() => silentAttempts().length >= 5, 'more attempts to the silent target');
    // Never two out at once (not yet answered, then silent: one of the two places at most):
    // each starts at least a timeout after the one before (ms-rounded timestamps).
    const starts = silentAttempts()
      .map((attempt) => Date.parse(attempt.started_at))
      .sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) {
      assert.ok(
        starts[i] - starts[i - 1] >= timeoutMs - 1,
        `attempt ${i + 1}: ${starts.join(', ')}`,
      );
    }
  });

  test('an unsubscribed target gets no more retries', async () => {
    const mock = await mockWith({ delivery: { ...FAST, backoffMs: 300 } });
    const target = await receiver(() => ({ status: 503 }));
    const subscription = await subscribe(mock, 'tag.added', target.url());
    await fire(mock, 'tag.added', { conversation_id: 'conv_124' });
    await target.waitFor(1);
    await mock.request('DELETE', `${API}/webhooks/${subscription}`);
    await until(() => deliveriesOf(mock, subscription)[0]?.status === 'cancelled', 'cancelled');
    assert.equal(target.received.length, 1);
  });

  test('deliveries never hold up API requests', async () => {
    const mock = await mockWith();
    const target = await receiver(() => ({ delayMs: 1500 }));
    await subscribe(mock, 'contact.created', target.url());
    const reply = await mock.request('POST', `${API}/contacts`, {
      body: { email: 'fast@example.com' },
    });
    assert.equal(reply.status, 201);
    await target.waitFor(1);
    const samples = await mock.request('GET', `${API}/contacts?limit=1`);
    assert.equal(samples.status, 200, 'answered while the receiver still holds the delivery');
    assert.equal(mock.server.services.deliverer.pending, 1);
  });

  test('the concurrency bounds requests out, not outcomes being stored', async () => {
    const mock = await mockWith({ delivery: { ...FAST, concurrency: 1 } });
    const target = await receiver();
    await subscribe(mock, 'contact.created', target.url());
    // Every outcome's commit is held: with one request at a time, the next delivery must still go.
    const { store } = mock.server.services;
    const commit = store.commit.bind(store);
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    store.commit = async (changes) => {
      const outcome = changes.some(
        (change) =>
          change.op === 'put' &&
          change.c === 'deliveries' &&
          (change.r as { status: string }).status !== 'pending',
      );
      if (outcome) await held;
      return commit(changes);
    };
    for (const email of ['first@example.com', 'second@example.com']) {
      const reply = await mock.request('POST', `${API}/contacts`, { body: { email } });
      assert.equal(reply.status, 201);
    }
    try {
      await target.waitFor(2, 5000);
    } finally {
      release();
    }
    await until(() => mock.server.services.deliverer.pending === 0, 'outcomes stored');
    assert.equal(target.received.length, 2);
  });

  test('a restart mid-retry still delivers', async () => {
    const { dir, remove } = temporaryDirectory();
    cleanup.push(() => Promise.resolve(remove()));
    const dbFile = path.join(dir, 'db.json');
    const target = await receiver((call) => ({ status: call === 1 ? 503 : 200 }));
    const first = await startMock({ dbFile, delivery: { ...FAST, backoffMs: 400 } });
    const subscription = await subscribe(first, 'tag.added', target.url());
    await fire(first, 'tag.added', { conversation_id: 'conv_124' });
    await until(
      () => deliveriesOf(first, subscription)[0]?.attempts === 1,
      'first attempt recorded',
    );
    await first.stop();

    const second = await mockWith({ dbFile, delivery: FAST });
    await until(
      () => deliveriesOf(second, subscription)[0]?.status === 'delivered',
      'delivered after restart',
    );
    assert.equal(target.received.length, 2);
  });

  test('an outcome that could not be stored is stored once there is room: no restart, no second POST', async () => {
    const mock = await mockWith();
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const target = await receiver(() => ({ held }));
    const subscription = await subscribe(mock, 'tag.added', target.url());
    await fire(mock, 'tag.added', { conversation_id: 'conv_124' });
    await target.waitFor(1);
    // The disk is full when the receiver's 200 comes back: the outcome cannot be stored.
    await withWritesRefused(mock.server.services.store, async () => {
      release();
      await until(() => mock.logs.some((line) => /not stored yet/.test(line)), 'a failed save');
      assert.equal(deliveriesOf(mock, subscription)[0].attempts, 0);
    });
    await until(
      () => deliveriesOf(mock, subscription)[0]?.status === 'delivered',
      "the outcome stored on the mock's own schedule",
    );
    const [delivery] = deliveriesOf(mock, subscription);
    assert.equal(delivery.attempts, 1);
    assert.deepEqual(
      delivery.history.map((attempt) => attempt.status_code),
      [200],
    );
    assert.equal(target.received.length, 1, 'delivered once');
    assert.equal(mock.server.services.deliverer.pending, 0);
  });

  describe('--strict-targets', () => {
    for (const target of [
      'http://127.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.1/hook',
      'http://192.168.1.10/hook',
      'http://172.16.0.5/hook',
      'http://localhost:8080/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[::ffff:7f00:1]/hook',
      'http://[::ffff:a9fe:a9fe]/hook',
      // IPv4-translated (::ffff:0:0:0/96).
      'http://[::ffff:0:127.0.0.1]/hook',
      'http://[::ffff:0:a9fe:a9fe]/hook',
      'http://0.0.0.0/hook',
      // IPv6 forms that carry a loopback IPv4 address, site-local, multicast, broadcast.
      'http://[::127.0.0.1]/hook',
      'http://[64:ff9b::7f00:1]/hook',
      'http://[2002:7f00:1::]/hook',
      'http://[fec0::1]/hook',
      'http://224.0.0.1/hook',
      'http://[ff02::1]/hook',
      'http://255.255.255.255/hook',
    ]) {
      test(`refuses ${target} at subscribe time`, async () => {
        const mock = await mockWith({ strictTargets: true });
        const subscriptions = () => mock.server.services.store.all('subscriptions').length;
        const before = subscriptions();
        const reply = await mock.request('POST', `${API}/webhooks/subscribe`, {
          body: { event: 'tag.added', target_url: target },
        });
        assertError(reply, 400, 'invalid-subscription');
        assert.equal(subscriptions(), before);
      });
    }

    test('accepts a public https URL', async () => {
      const mock = await mockWith({ strictTargets: true });
      const reply = await mock.request('POST', `${API}/webhooks/subscribe`, {
        body: { event: 'tag.added', target_url: 'https://hooks.zapier.com/hooks/catch/1/a' },
      });
      assert.equal(reply.status, 201);
    });
  });
});
