/**
 * The admin lists the dashboard polls: pages with totals, the workspaces' counts, the journal's
 * filters. Each answer is checked against its schema by the mock's verify mode.
 */
import assert from 'node:assert/strict';
import { assertError, DEMO_KEYS, startMock, type RunningMock } from '../helpers/mock';

let mock: RunningMock;
const admin = (method: string, path: string, body?: unknown) =>
  mock.request(method, `/__admin${path}`, { key: null, body });
const ids = (reply: { body: { items: { id: string }[] } }) => reply.body.items.map((i) => i.id);

beforeAll(async () => {
  mock = await startMock();
});
afterAll(async () => {
  await mock.stop();
});

describe('GET /__admin/workspaces', () => {
  const created: string[] = [];
  beforeAll(async () => {
    for (const name of ['Initech', 'Hooli', 'Umbrella']) {
      const reply = await admin('POST', '/workspaces', {
        team_name: name,
        owner_email: `owner@${name.toLowerCase()}.example`,
      });
      assert.equal(reply.status, 201, reply.text);
      created.push(reply.body.workspace.id as string);
    }
  });

  test('pages oldest first, with the total', async () => {
    const all = await admin('GET', '/workspaces');
    assert.deepEqual(ids(all), ['owner_123', 'owner_456', 'owner_789', ...created]);
    assert.equal(all.body.total, 6);
    const second = await admin('GET', '/workspaces?limit=2&offset=2');
    assert.deepEqual(ids(second), ['owner_789', created[0]]);
    assert.equal(second.body.total, 6);
    const past = await admin('GET', '/workspaces?offset=6');
    assert.deepEqual(past.body.items, []);
    assert.equal(past.body.total, 6);
  });

  test('each workspace counts its contacts, conversations, active subscriptions and deliveries', async () => {
    const before = (await admin('GET', '/workspaces?limit=1')).body.items[0].counts;
    const acme = { key: DEMO_KEYS.acme };
    const contact = await mock.request('POST', '/api/zapier/contacts', {
      ...acme,
      body: { email: 'counted@example.com' },
    });
    assert.equal(contact.status, 201);
    const subscribe = (target: string) =>
      mock.request('POST', '/api/zapier/webhooks/subscribe', {
        ...acme,
        body: { event: 'conversation.created', target_url: target },
      });
    const kept = await subscribe('http://127.0.0.1:9/kept');
    const dropped = await subscribe('http://127.0.0.1:9/dropped');
    await mock.request('DELETE', `/api/zapier/webhooks/${dropped.body.id}`, acme);
    const fired = await admin('POST', '/events', {
      workspace_id: 'owner_123',
      event: 'conversation.created',
    });
    assert.equal(fired.body.deliveries, 1, `delivered to ${kept.body.id} only`);

    const [after, globex] = (await admin('GET', '/workspaces?limit=2')).body.items;
    assert.deepEqual(after.counts, {
      // POST /contacts added a contact, the event a conversation and its one delivery.
      contacts: before.contacts + 1,
      conversations: before.conversations + 1,
      active_subscriptions: before.active_subscriptions + 1,
      deliveries: before.deliveries + 1,
    });
    const store = mock.server.services.store;
    assert.equal(
      globex.counts.contacts,
      store.all('contacts').filter((c) => c.workspace_id === 'owner_456').length,
    );
    const fresh = (await admin('GET', '/workspaces?offset=3&limit=1')).body.items[0];
    assert.deepEqual(fresh.counts, {
      contacts: 0,
      conversations: 0,
      active_subscriptions: 0,
      deliveries: 0,
    });
  });

  test('a limit or offset outside the schema is invalid-request', async () => {
    for (const query of ['limit=0', 'limit=1001', 'offset=-1', 'offset=x']) {
      assertError(await admin('GET', `/workspaces?${query}`), 400, 'invalid-request');
    }
  });
});

describe('GET /__admin/deliveries and /subscriptions page with a total', () => {
  test('deliveries: newest first, offset and total follow the filters', async () => {
    const subscribed = await mock.request('POST', '/api/zapier/webhooks/subscribe', {
      key: DEMO_KEYS.globex,
      body: { event: 'tag.added', target_url: 'http://127.0.0.1:9/paged' },
    });
    const subscription = subscribed.body.id as string;
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      await admin('POST', '/events', { workspace_id: 'owner_456', event: 'tag.added' });
      const [newest] = (await admin('GET', `/deliveries?subscription_id=${subscription}&limit=1`))
        .body.items;
      made.push(newest.id as string);
    }
    const page = await admin('GET', `/deliveries?subscription_id=${subscription}&limit=2&offset=1`);
    assert.deepEqual(ids(page), [made[1], made[0]]);
    assert.equal(page.body.total, 3);
    const ofGlobex = await admin('GET', '/deliveries?workspace_id=owner_456&event=tag.added');
    assert.deepEqual(ids(ofGlobex).slice(0, 3), [...made].reverse());
    assert.equal(ofGlobex.body.total, ofGlobex.body.items.length);
    const all = await admin('GET', '/deliveries?limit=1');
    assert.equal(all.body.items.length, 1);
    assert.equal(all.body.total, mock.server.services.store.all('deliveries').length);
  });

  test('subscriptions: offset and total', async () => {
    const all = await admin('GET', '/subscriptions');
    const second = await admin('GET', '/subscriptions?limit=1&offset=1');
    assert.deepEqual(ids(second), [all.body.items[1].id]);
    assert.equal(second.body.total, all.body.items.length);
    const active = await admin('GET', '/subscriptions?active=true&limit=1');
    assert.equal(
      active.body.total,
      all.body.items.filter((s: { active: boolean }) => s.active).length,
    );
  });
});

describe('GET /__admin/journal filters', () => {
  test('by status class and by text in the path, newest first', async () => {
    await mock.request('GET', '/api/zapier/me');
    await mock.request('GET', '/api/zapier/me', { key: 'chatting_live_x_wrongwrongwrongwrong' });
    await mock.request('GET', '/api/zapier/contacts?limit=1');
    const refused = await admin('GET', '/journal?status=4xx&limit=1000');
    assert.ok(refused.body.items.length > 0);
    assert.ok(
      refused.body.items.every((e: { status: number }) => e.status >= 400 && e.status < 500),
    );
    const [newestMe] = (await admin('GET', '/journal?path=/me&limit=1')).body.items;
    assert.equal(newestMe.status, 401, 'the newest /me first');
    const me = await admin('GET', '/journal?path=%2Fme&status=2xx&limit=1000');
    assert.ok(me.body.items.length > 0);
    assert.ok(
      me.body.items.every(
        (e: { status: number; path: string }) => e.status === 200 && e.path.includes('/me'),
      ),
    );
    assertError(await admin('GET', '/journal?status=4'), 400, 'invalid-request');
  });

  test('a path is searched as shown: a key in the URL is redacted before it is compared', async () => {
    await mock.request('GET', `/api/zapier/me?api_key=${DEMO_KEYS.acme}`);
    const found = await admin('GET', `/journal?path=${DEMO_KEYS.acme}`);
    assert.deepEqual(found.body.items, []);
    const shown = await admin('GET', '/journal?path=api_key&limit=1');
    assert.equal(shown.body.items.length, 1);
    assert.ok(!shown.text.includes(DEMO_KEYS.acme));
  });
});
