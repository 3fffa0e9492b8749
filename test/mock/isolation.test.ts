import assert from 'node:assert/strict';
import { assertError, DEMO_KEYS, startMock, type RunningMock } from '../helpers/mock';

const API = '/api/zapier';
let mock: RunningMock;
let acmeWebhook: string;

beforeAll(async () => {
  mock = await startMock();
  const subscribed = await mock.request('POST', `${API}/webhooks/subscribe`, {
    body: { event: 'tag.added', target_url: 'https://hooks.zapier.com/hooks/catch/1/acme' },
  });
  acmeWebhook = subscribed.body.id as string;
});
afterAll(async () => {
  await mock.stop();
});

/** Everything of Acme's that Globex's answers must never mention. */
function acmeSecrets(): string[] {
  const store = mock.server.services.store;
  const acme = (record: { workspace_id: string }) => record.workspace_id === 'owner_123';
  return [
    ...store
      .all('contacts')
      .filter(acme)
      .flatMap((c) => [c.id, c.email]),
    ...store
      .all('conversations')
      .filter(acme)
      .map((c) => c.id),
    ...store
      .all('subscriptions')
      .filter(acme)
      .map((s) => s.id),
    'owner_123',
  ];
}

function assertDiscloses(text: string, nothingOf: string[]): void {
  for (const secret of nothingOf) assert.ok(!text.includes(secret), `disclosed ${secret}: ${text}`);
}

const globex = { key: DEMO_KEYS.globex };

describe("another workspace's ids, through every endpoint", () => {
  test("DELETE /webhooks/{id} of Acme's subscription is not-found and leaves it active", async () => {
    const reply = await mock.request('DELETE', `${API}/webhooks/${acmeWebhook}`, globex);
    assertError(reply, 404, 'not-found');
    assert.equal(mock.server.services.store.get('subscriptions', acmeWebhook)?.active, true);
  });

  test("POST /contacts/{id}/tags on Acme's contact is contact-site-forbidden, unchanged", async () => {
    const before = structuredClone(mock.server.services.store.get('contacts', 'contact_123'));
    const reply = await mock.request('POST', `${API}/contacts/contact_123/tags`, {
      ...globex,
      body: { tag: 'stolen' },
    });
    assertError(reply, 403, 'contact-site-forbidden');
    assert.ok(before);
    assertDiscloses(reply.text, [before.email, 'Ava Brooks']);
    assert.deepEqual(mock.server.services.store.get('contacts', 'contact_123'), before);
  });

  test("POST /conversations/{id}/messages on Acme's conversation is not-found, nothing stored", async () => {
    const count = mock.server.services.store.all('messages').length;
    const reply = await mock.request('POST', `${API}/conversations/conv_123/messages`, {
      ...globex,
      body: { message: 'hello from Globex' },
    });
    assertError(reply, 404, 'not-found');
    assert.equal(mock.server.services.store.all('messages').length, count);
  });

  for (const path of [
    '/conversations?limit=100',
    '/conversations?limit=100&event=conversation.resolved',
    '/conversations?limit=100&event=tag.added',
    '/contacts?limit=100',
    '/me',
  ]) {
    test(`GET ${path} shows Globex's records only`, async () => {
      const reply = await mock.request('GET', `${API}${path}`, globex);
      assert.equal(reply.status, 200);
      assertDiscloses(reply.text, acmeSecrets());
    });
  }

  test("POST /contacts with an email Acme already has creates Globex's own contact", async () => {
    const acmeEmail = mock.server.services.store.get('contacts', 'contact_123')?.email;
    assert.ok(acmeEmail);
    const reply = await mock.request('POST', `${API}/contacts`, {
      ...globex,
      body: { email: acmeEmail, name: 'Globex lead' },
    });
    assert.equal(reply.status, 201);
    assert.notEqual(reply.body.id, 'contact_123');
    assert.equal(mock.server.services.store.get('contacts', 'contact_123')?.name, 'Ava Brooks');
  });

  test('the same idempotency key in two workspaces is two requests', async () => {
    const headers = { 'idempotency-key': 'shared-key-1' };
    const body = { email: 'both@example.com' };
    const acme = await mock.request('POST', `${API}/contacts`, { headers, body });
    const other = await mock.request('POST', `${API}/contacts`, { ...globex, headers, body });
    assert.equal(acme.status, 201);
    assert.equal(other.status, 201);
    assert.notEqual(acme.body.id, other.body.id);
    assert.equal(other.headers.get('idempotent-replayed'), null);
  });

  test("Globex's own ids work for Globex and are hidden from Acme", async () => {
    const own = await mock.request('POST', `${API}/conversations/conv_456/messages`, {
      ...globex,
      body: { message: 'mine' },
    });
    assert.equal(own.status, 201);
    const fromAcme = await mock.request('POST', `${API}/conversations/conv_456/messages`, {
      body: { message: 'not mine' },
    });
    assertError(fromAcme, 404, 'not-found');
  });
});
