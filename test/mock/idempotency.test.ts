import assert from 'node:assert/strict';
import { canonicalJson } from '../../mock-server/api/idempotency';
import { contactByEmail } from '../../mock-server/store/lookups';
import { schemaJson } from '../../schemas/validator';
import { withWritesRefused } from '../helpers/database';
import { assertError, useMock } from '../helpers/mock';

const API = '/api/zapier';
const mock = useMock();

const count = (collection: 'contacts' | 'messages' | 'subscriptions' | 'events') =>
  mock.server.services.store.all(collection).length;

describe('idempotency keys', () => {
  for (const header of ['Idempotency-Key', 'X-Idempotency-Key']) {
    test(`${header}: the same key and payload replays the first answer byte for byte`, async () => {
      const headers = { [header]: `replay-${header}` };
      const first = await mock.request('POST', `${API}/contacts`, {
        headers,
        body: { email: `replay-${header}@example.com`, name: 'R', tags: ['a'] },
      });
      const contacts = count('contacts');
      const events = count('events');
      // Same payload, keys in another order.
      const second = await mock.request('POST', `${API}/contacts`, {
        headers,
        body: { tags: ['a'], name: 'R', email: `replay-${header}@example.com` },
      });
      assert.equal(first.status, 201);
      assert.equal(second.status, 201);
      assert.equal(second.text, first.text);
      assert.equal(first.headers.get('idempotent-replayed'), null);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
      assert.equal(count('contacts'), contacts);
      assert.equal(count('events'), events, 'no second contact.created');
    });
  }

  test('the same key with another payload is idempotency-key-conflict', async () => {
    const headers = { 'idempotency-key': 'conflict-1' };
    const first = await mock.request('POST', `${API}/conversations/conv_123/messages`, {
      headers,
      body: { message: 'one' },
    });
    assert.equal(first.status, 201);
    const messages = count('messages');
    const second = await mock.request('POST', `${API}/conversations/conv_123/messages`, {
      headers,
      body: { message: 'two' },
    });
    assertError(second, 409, 'idempotency-key-conflict');
    assert.equal(count('messages'), messages);
  });

  test('a key is scoped to its path', async () => {
    const headers = { 'idempotency-key': 'path-scope' };
    const a = await mock.request('POST', `${API}/contacts/contact_123/tags`, {
      headers,
      body: { tag: 't1' },
    });
    const b = await mock.request('POST', `${API}/contacts/contact_124/tags`, {
      headers,
      body: { tag: 't1' },
    });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(b.headers.get('idempotent-replayed'), null);
    assert.ok(mock.server.services.store.get('contacts', 'contact_124')?.tags.includes('t1'));
  });

  test('a failed request stores nothing: the corrected retry with the same key executes', async () => {
    const headers = { 'idempotency-key': 'fix-and-retry' };
    const bad = await mock.request('POST', `${API}/contacts`, {
      headers,
      body: { name: 'No email' },
    });
    assertError(bad, 400, 'missing-email');
    const good = await mock.request('POST', `${API}/contacts`, {
      headers,
      body: { name: 'No email', email: 'fixed@example.com' },
    });
    assert.equal(good.status, 201);
    assert.equal(good.headers.get('idempotent-replayed'), null);
  });

  test('a write that cannot be saved stores nothing, not even the key', async () => {
    const headers = { 'idempotency-key': 'save-fails' };
    const body = { email: 'unsaved@example.com' };
    await withWritesRefused(mock.server.services.store, async () => {
      assertError(
        await mock.request('POST', `${API}/contacts`, { headers, body }),
        500,
        'contact-save-failed',
      );
      assert.equal(
        contactByEmail(mock.server.services.store, 'owner_123', 'unsaved@example.com'),
        undefined,
      );
    });
    const retry = await mock.request('POST', `${API}/contacts`, { headers, body });
    assert.equal(retry.status, 201);
    assert.equal(retry.headers.get('idempotent-replayed'), null, 'executed, not replayed');
  });

  test('subscribe replays too', async () => {
    const headers = { 'idempotency-key': 'sub-1' };
    const body = { event: 'contact.created', target_url: 'https://hooks.zapier.com/x' };
    const first = await mock.request('POST', `${API}/webhooks/subscribe`, { headers, body });
    const subscriptions = count('subscriptions');
    const second = await mock.request('POST', `${API}/webhooks/subscribe`, { headers, body });
    assert.equal(second.text, first.text);
    assert.equal(count('subscriptions'), subscriptions);
  });

  const keyRules = schemaJson('requests/idempotency-key') as { maxLength: number };
  for (const [why, header, key] of [
    ['empty', 'Idempotency-Key', ''],
    ['too long', 'Idempotency-Key', 'k'.repeat(keyRules.maxLength + 1)],
    ['non-ASCII', 'X-Idempotency-Key', 'clé'],
  ]) {
    test(`a key that is ${why} is invalid-request, and the message names the header`, async () => {
      const reply = await mock.request('POST', `${API}/contacts`, {
        headers: { [header.toLowerCase()]: key },
        body: { email: 'k@example.com' },
      });
      assertError(reply, 400, 'invalid-request');
      const { message } = reply.body as { message: string };
      assert.ok(message.startsWith(`${header}: `), message);
      assert.ok(!message.includes('body'), message);
    });
  }

  test('50 concurrent requests with one key: one executes, all 50 get the same answer', async () => {
    const headers = { 'idempotency-key': 'race-50' };
    const messages = count('messages');
    const replies = await Promise.all(
      Array.from({ length: 50 }, () =>
        mock.request('POST', `${API}/conversations/conv_124/messages`, {
          headers,
          body: { message: 'exactly once' },
        }),
      ),
    );
    assert.equal(count('messages'), messages + 1);
    const texts = new Set(replies.map((reply) => reply.text));
    assert.equal(texts.size, 1, [...texts].join('\n'));
    assert.ok(replies.every((reply) => reply.status === 201));
    const fresh = replies.filter((reply) => reply.headers.get('idempotent-replayed') === null);
    assert.equal(fresh.length, 1, 'exactly one answer is not a replay');
  });

  test('50 concurrent requests, one key, differing payloads: one executes, the rest conflict', async () => {
    const headers = { 'idempotency-key': 'race-mixed' };
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        mock.request('POST', `${API}/contacts`, {
          headers,
          body: { email: `mixed${i % 2}@example.com` },
        }),
      ),
    );
    const created = replies.filter((reply) => reply.status === 201);
    const conflicts = replies.filter((reply) => reply.status === 409);
    assert.equal(created.length + conflicts.length, 50);
    assert.equal(new Set(created.map((reply) => reply.body.email)).size, 1);
    assert.equal(
      contactByEmail(mock.server.services.store, 'owner_123', 'mixed0@example.com') !== undefined,
      contactByEmail(mock.server.services.store, 'owner_123', 'mixed1@example.com') === undefined,
    );
  });
});

describe('canonicalJson (what a request hash is taken of)', () => {
  test('object keys are sorted at every depth; array order and values are kept', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [3, { f: null, e: 'x' }], c: true } }),
      '{"a":{"c":true,"d":[3,{"e":"x","f":null}]},"b":1}',
    );
    assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
    assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
  });

  test('it is JSON, undefined members are left out as JSON.stringify leaves them', () => {
    const value = { z: undefined, y: 'quote " and \u00e9', x: [undefined, 1.5] };
    assert.equal(canonicalJson(value), '{"x":[null,1.5],"y":"quote \\" and \u00e9"}');
    assert.deepEqual(JSON.parse(canonicalJson(value)), JSON.parse(JSON.stringify(value)));
    assert.equal(canonicalJson({}), '{}');
    assert.equal(canonicalJson([]), '[]');
    assert.equal(canonicalJson('text'), '"text"');
  });
});
