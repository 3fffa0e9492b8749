import assert from 'node:assert/strict';
import { DEMO_KEYS, startMock, type RunningMock } from '../helpers/mock';

let mock: RunningMock;
const admin = (path: string) => mock.request('GET', `/__admin${path}`, { key: null });
const ids = (items: { id: string }[]) => items.map((s) => s.id);

beforeAll(async () => {
  mock = await startMock();
});
afterAll(async () => {
  await mock.stop();
});

describe('GET /__admin/subscriptions', () => {
  let acme: string;
  let globex: string;

  beforeAll(async () => {
    const subscribe = async (key: string, event: string) => {
      const reply = await mock.request('POST', '/api/zapier/webhooks/subscribe', {
        key,
        body: { event, target_url: 'https://hooks.example.com/catch' },
      });
      assert.equal(reply.status, 201, reply.text);
      return reply.body.id as string;
    };
    acme = await subscribe(DEMO_KEYS.acme, 'contact.created');
    globex = await subscribe(DEMO_KEYS.globex, 'tag.added');
    const gone = await mock.request('DELETE', `/api/zapier/webhooks/${globex}`, {
      key: DEMO_KEYS.globex,
    });
    assert.equal(gone.status, 200);
  });

  test('lists every workspace’s subscriptions, active or not, newest first', async () => {
    const reply = await admin('/subscriptions');
    assert.equal(reply.status, 200, reply.text);
    const listed = ids(reply.body.items);
    assert.deepEqual(listed.slice(0, 2), [globex, acme]);
    const byId = new Map(reply.body.items.map((s: { id: string }) => [s.id, s]));
    assert.equal((byId.get(globex) as { active: boolean }).active, false);
    assert.equal((byId.get(acme) as { workspace_id: string }).workspace_id, 'owner_123');
  });

  test('filters by workspace, event and active, and limits', async () => {
    const ofGlobex = await admin('/subscriptions?workspace_id=owner_456');
    assert.ok(
      ofGlobex.body.items.every((s: { workspace_id: string }) => s.workspace_id === 'owner_456'),
    );
    assert.ok(ids(ofGlobex.body.items).includes(globex));
    assert.ok(!ids(ofGlobex.body.items).includes(acme));

    const contactCreated = await admin('/subscriptions?event=contact.created');
    assert.ok(
      contactCreated.body.items.every((s: { event: string }) => s.event === 'contact.created'),
    );
    assert.ok(ids(contactCreated.body.items).includes(acme));

    const active = await admin('/subscriptions?active=true');
    assert.ok(ids(active.body.items).includes(acme));
    assert.ok(!ids(active.body.items).includes(globex));
    const inactive = await admin('/subscriptions?active=false');
    assert.ok(ids(inactive.body.items).includes(globex));
    assert.ok(!ids(inactive.body.items).includes(acme));

    assert.deepEqual(ids((await admin('/subscriptions?limit=1')).body.items), [globex]);
  });

  test('a filter value outside the schema is invalid-request', async () => {
    for (const query of ['active=yes', 'event=contact.deleted', 'limit=0']) {
      const reply = await admin(`/subscriptions?${query}`);
      assert.equal(reply.status, 400, query);
      assert.equal(reply.body.error, 'invalid-request', query);
    }
  });
});
