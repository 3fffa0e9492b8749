import assert from 'node:assert/strict';
import { payloadSchemaOf, validate } from '../../schemas/validator';
import { storeRecord } from '../../mock-server/store/collections';
import { assertError, DEMO_KEYS, useMock } from '../helpers/mock';

const API = '/api/zapier';
const mock = useMock();

describe('GET /me', () => {
  test('answers the workspace of the key', async () => {
    const reply = await mock.request('GET', `${API}/me`);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, {
      ok: true,
      workspace_id: 'owner_123',
      team_name: 'Acme Team',
      owner_email: 'owner@example.com',
    });
    const globex = await mock.request('GET', `${API}/me`, { key: DEMO_KEYS.globex });
    assert.equal(globex.body.workspace_id, 'owner_456');
  });

  test('no key, or an empty one, is api-key-missing', async () => {
    assertError(await mock.request('GET', `${API}/me`, { key: null }), 401, 'api-key-missing');
    assertError(await mock.request('GET', `${API}/me`, { key: '' }), 401, 'api-key-missing');
    assertError(await mock.request('GET', `${API}/me`, { key: '   ' }), 401, 'api-key-missing');
  });

  for (const [why, key] of [
    ['malformed', 'not-a-key'],
    ['unknown key id', 'chatting_live_nobody_acmeacmeacmeacmeacmeacme'],
    ['wrong secret', 'chatting_live_demo_acmeacmeacmeacmeacmeacmX'],
    ['revoked', DEMO_KEYS.revoked],
    ['prefix only', 'chatting_live_'],
  ] as const) {
    test(`a ${why} key is api-key-invalid`, async () => {
      assertError(await mock.request('GET', `${API}/me`, { key }), 401, 'api-key-invalid');
    });
  }

  test('the key is checked before anything else', async () => {
    const reply = await mock.request('POST', `${API}/contacts`, { key: null, raw: '{broken' });
    assertError(reply, 401, 'api-key-missing');
  });
});

describe('webhook subscriptions', () => {
  for (const event of [
    'conversation.created',
    'conversation.resolved',
    'contact.created',
    'tag.added',
  ]) {
    test(`subscribe to ${event}, then unsubscribe twice`, async () => {
      const target_url = 'https://hooks.zapier.com/hooks/catch/123/abc';
      const created = await mock.request('POST', `${API}/webhooks/subscribe`, {
        body: { event, target_url },
      });
      assert.equal(created.status, 201);
      assert.match(created.body.id, /^wh_/);
      assert.deepEqual(created.body, { ok: true, id: created.body.id, event, active: true });
      const stored = mock.server.services.store.get('subscriptions', created.body.id);
      assert.equal(stored?.target_url, target_url);
      assert.equal(stored?.workspace_id, 'owner_123');

      for (let i = 0; i < 2; i++) {
        const removed = await mock.request('DELETE', `${API}/webhooks/${created.body.id}`);
        assert.equal(removed.status, 200);
        assert.deepEqual(removed.body, { ok: true, id: created.body.id, active: false });
      }
      assert.equal(mock.server.services.store.get('subscriptions', created.body.id)?.active, false);
    });
  }

  for (const [why, body] of [
    ['an unknown event', { event: 'conversation.deleted', target_url: 'https://example.com/h' }],
    ['no event', { target_url: 'https://example.com/h' }],
    ['no target_url', { event: 'tag.added' }],
    ['a relative target_url', { event: 'tag.added', target_url: '/hooks/1' }],
    ['a non-http target_url', { event: 'tag.added', target_url: 'ftp://example.com/h' }],
    ['a target_url that is not a string', { event: 'tag.added', target_url: 42 }],
  ] as const) {
    test(`${why} is invalid-subscription`, async () => {
      const reply = await mock.request('POST', `${API}/webhooks/subscribe`, { body });
      assertError(reply, 400, 'invalid-subscription');
    });
  }

  test('loopback targets are allowed by default, for local receivers', async () => {
    const reply = await mock.request('POST', `${API}/webhooks/subscribe`, {
      body: { event: 'tag.added', target_url: 'http://127.0.0.1:9/hook' },
    });
    assert.equal(reply.status, 201);
  });

  test('an unknown webhook id is not-found', async () => {
    assertError(await mock.request('DELETE', `${API}/webhooks/wh_nothing`), 404, 'not-found');
  });

  test('a target already subscribed to the event gets that subscription again, and each event once', async () => {
    const body = { event: 'tag.added', target_url: 'http://127.0.0.1:9/once' };
    const first = await mock.request('POST', `${API}/webhooks/subscribe`, { body });
    const second = await mock.request('POST', `${API}/webhooks/subscribe`, { body });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.deepEqual(second.body, first.body);
    const active = (url: string) =>
      mock.server.services.store
        .all('subscriptions')
        .filter(
          (s) =>
            s.active &&
            s.workspace_id === 'owner_123' &&
            s.target_url === url &&
            s.event === 'tag.added',
        );
    assert.equal(active(body.target_url).length, 1);
    const fired = await mock.request('POST', '/__admin/events', {
      key: null,
      body: { workspace_id: 'owner_123', event: 'tag.added' },
    });
    assert.equal(fired.status, 201);
    const deliveries = mock.server.services.store
      .all('deliveries')
      .filter((d) => d.target_url === body.target_url);
    assert.equal(deliveries.length, 1);
    // Another event, or another workspace, is another subscription; so is one after unsubscribing.
    const other = await mock.request('POST', `${API}/webhooks/subscribe`, {
      body: { ...body, event: 'contact.created' },
    });
    assert.notEqual(other.body.id, first.body.id);
    const globex = await mock.request('POST', `${API}/webhooks/subscribe`, {
      key: DEMO_KEYS.globex,
      body,
    });
    assert.notEqual(globex.body.id, first.body.id);
    await mock.request('DELETE', `${API}/webhooks/${first.body.id}`);
    const again = await mock.request('POST', `${API}/webhooks/subscribe`, { body });
    assert.notEqual(again.body.id, first.body.id);
    assert.deepEqual(
      active(body.target_url).map((s) => s.id),
      [again.body.id],
    );
  });

  const subscribe = (event: string, target_url: string) =>
    mock.request('POST', `${API}/webhooks/subscribe`, { body: { event, target_url } });
  /** Nothing is left subscribed to a URL outside the machine, whatever the test found. */
  const unsubscribeAll = (ids: Iterable<string>) =>
    Promise.all([...new Set(ids)].map((id) => mock.request('DELETE', `${API}/webhooks/${id}`)));

  test('equivalent forms of a target URL are one target, kept as first sent', async () => {
    const first = 'https://hooks.zapier.com/hooks/catch/123/same';
    const event = 'contact.created';
    const ids: string[] = [];
    /** Subscribes each target in turn, noting every id for the clean-up. */
    const subscribeEach = async (targets: string[]) => {
      const replies: [string, Awaited<ReturnType<typeof subscribe>>][] = [];
      for (const target of targets) {
        const reply = await subscribe(event, target);
        ids.push(reply.body.id);
        replies.push([target, reply]);
      }
      return replies;
    };
    try {
      const subscribed = await subscribe(event, first);
      assert.equal(subscribed.status, 201);
      ids.push(subscribed.body.id);
      for (const [target, again] of await subscribeEach([
        'https://HOOKS.zapier.com/hooks/catch/123/same',
        'https://hooks.zapier.com:443/hooks/catch/123/same',
        'HTTPS://hooks.zapier.com/hooks/catch/123/x/../same',
        // What a delivery sends is the same request: no fragment, no empty query, %61 is "a".
        'https://hooks.zapier.com/hooks/catch/123/same#zap',
        'https://hooks.zapier.com/hooks/catch/123/same?',
        'https://hooks.zapier.com/hooks/catch/123/s%61me',
      ])) {
        assert.equal(again.status, 201);
        assert.deepEqual(again.body, subscribed.body, target);
      }
      const stored = mock.server.services.store.get('subscriptions', subscribed.body.id);
      assert.equal(stored?.target_url, first);
      const active = mock.server.services.store
        .all('subscriptions')
        .filter((s) => s.active && s.event === event && s.target_url.includes('/catch/123/'));
      assert.deepEqual(
        active.map((s) => s.id),
        [subscribed.body.id],
      );
      // Another path (paths are case-sensitive), scheme or port is another target.
      for (const [target, other] of await subscribeEach([
        'https://hooks.zapier.com/hooks/catch/123/Same',
        'http://hooks.zapier.com/hooks/catch/123/same',
        'https://hooks.zapier.com:8443/hooks/catch/123/same',
        'https://hooks.zapier.com/hooks/catch/123/same?a=1',
      ])) {
        assert.notEqual(other.body.id, subscribed.body.id, target);
      }
    } finally {
      await unsubscribeAll(ids);
    }
  });

  test('an event is delivered once per target, whatever forms a seed holds', async () => {
    const { store } = mock.server.services;
    const seeded = [
      'http://127.0.0.1:9/once-per-target',
      'HTTP://127.0.0.1:9/x/../once-per-target',
    ];
    const ids = seeded.map((_, i) => `wh_forms${i}`);
    await store.commit(
      seeded.map((target_url, i) =>
        storeRecord('subscriptions', {
          id: ids[i],
          workspace_id: 'owner_123',
          event: 'conversation.resolved',
          target_url,
          active: true,
          created_at: `2026-04-0${i + 1}T00:00:00.000Z`,
          deactivated_at: null,
        }),
      ),
    );
    const fired = await mock.request('POST', '/__admin/events', {
      key: null,
      body: { workspace_id: 'owner_123', event: 'conversation.resolved' },
    });
    assert.equal(fired.status, 201);
    const deliveries = store.all('deliveries').filter((d) => ids.includes(d.subscription_id));
    assert.deepEqual(
      deliveries.map((d) => [d.subscription_id, d.target_url]),
      [[ids[0], seeded[0]]],
    );
    await unsubscribeAll(ids);
  });

  test('concurrent subscribes of equivalent forms of one target make one subscription', async () => {
    const forms = [
      'https://hooks.zapier.com/hooks/catch/123/race',
      'https://HOOKS.zapier.com/hooks/catch/123/race',
      'https://hooks.zapier.com:443/hooks/catch/123/race',
      'HTTPS://Hooks.Zapier.Com:443/hooks/catch/123/race',
    ];
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) => subscribe('tag.added', forms[i % forms.length])),
    );
    try {
      assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([201]));
      assert.equal(new Set(replies.map((r) => r.body.id)).size, 1);
      const stored = mock.server.services.store
        .all('subscriptions')
        .filter((s) => s.event === 'tag.added' && s.target_url.endsWith('/catch/123/race'));
      assert.equal(stored.length, 1);
    } finally {
      await unsubscribeAll(replies.map((r) => r.body.id as string));
    }
  });

  test('concurrent subscribes of one target make exactly one subscription', async () => {
    const body = { event: 'conversation.created', target_url: 'http://127.0.0.1:9/race' };
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => mock.request('POST', `${API}/webhooks/subscribe`, { body })),
    );
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([201]));
    assert.equal(new Set(replies.map((r) => r.body.id)).size, 1);
    const stored = mock.server.services.store
      .all('subscriptions')
      .filter((s) => s.target_url === body.target_url);
    assert.equal(stored.length, 1);
  });
});

describe('sample endpoints', () => {
  test('GET /conversations lists conversation.created payloads by default, newest first', async () => {
    const reply = await mock.request('GET', `${API}/conversations?limit=10`);
    assert.equal(reply.status, 200);
    const items = reply.body.items as { event: string; timestamp: string }[];
    assert.ok(items.length >= 2);
    for (const item of items) assert.equal(item.event, 'conversation.created');
    const times = items.map((item) => item.timestamp);
    assert.deepEqual(times, [...times].sort().reverse());
  });

  test('limit defaults to 1', async () => {
    const reply = await mock.request('GET', `${API}/conversations`);
    assert.equal(reply.body.items.length, 1);
  });

  for (const event of ['conversation.created', 'conversation.resolved', 'tag.added']) {
    test(`GET /conversations?event=${event} gives exactly that payload`, async () => {
      const reply = await mock.request('GET', `${API}/conversations?limit=1&event=${event}`);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.items.length, 1);
      assert.equal(reply.body.items[0].event, event);
      const schema = payloadSchemaOf(event);
      assert.ok(validate(schema, reply.body.items[0]).valid);
    });
  }

  test('GET /contacts lists contact.created payloads', async () => {
    const reply = await mock.request('GET', `${API}/contacts?limit=1`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.items[0].event, 'contact.created');
    assert.ok(validate('events/contact-created', reply.body.items[0]).valid);
  });

  test('an empty workspace gives an empty list', async () => {
    for (const path of ['/conversations', '/contacts']) {
      const reply = await mock.request('GET', `${API}${path}?limit=5`, { key: DEMO_KEYS.nosite });
      assert.deepEqual(reply.body, { ok: true, items: [] });
    }
  });

  test('unknown query parameters are ignored', async () => {
    const reply = await mock.request('GET', `${API}/contacts?limit=1&utm_source=zapier`);
    assert.equal(reply.status, 200);
  });

  for (const query of [
    'limit=0',
    'limit=101',
    'limit=-1',
    'limit=1.5',
    'limit=abc',
    'limit=1&limit=2',
    'limit=99999999999999999999',
    'limit=0x10',
    'limit=1e1',
    'limit=%205',
    'limit=5.0',
    'event=contact.created',
    'event=nonsense',
  ]) {
    test(`?${query} is invalid-request`, async () => {
      assertError(
        await mock.request('GET', `${API}/conversations?${query}`),
        400,
        'invalid-request',
      );
    });
  }
});

describe('POST /contacts', () => {
  test('creates a contact: 201, the answer of the reference, and a contact.created event', async () => {
    const body = {
      email: 'Lead.New@Example.com',
      name: 'Ava Brooks',
      phone: '+1 555 111 2222',
      company: 'Acme',
      status: 'lead',
      tags: ['vip', 'demo'],
      customFields: { crm_owner: 'tina' },
    };
    const reply = await mock.request('POST', `${API}/contacts`, { body });
    assert.equal(reply.status, 201);
    assert.match(reply.body.id, /^contact_/);
    assert.deepEqual(Object.keys(reply.body), ['ok', 'id', 'email', 'name', 'created_at']);
    assert.equal(reply.body.email, 'Lead.New@Example.com');
    const stored = mock.server.services.store.get('contacts', reply.body.id);
    assert.equal(stored?.source, 'api');
    assert.equal(stored?.site_id, 'site_acme');
    assert.deepEqual(stored?.customFields, { crm_owner: 'tina' });

    const samples = await mock.request('GET', `${API}/contacts?limit=1`);
    assert.equal(samples.body.items[0].data.contact_id, reply.body.id);
    assert.equal(samples.body.items[0].data__email, 'Lead.New@Example.com');
    assert.equal(samples.body.items[0].data__source, 'api');
  });

  for (const email of [
    'josé@example.com',
    'a@exämple.com',
    '用户@例子.广告',
    '"a b"@example.com',
    'a@localhost',
    'a@[192.0.2.1]',
    'a@[IPv6:2001:db8::1]',
  ]) {
    test(`an address under RFC 6531 is an email: ${email}`, async () => {
      const reply = await mock.request('POST', `${API}/contacts`, { body: { email } });
      assert.equal(reply.status, 201, reply.text);
      assert.equal(reply.body.email, email);
    });
  }

  test('repeated tags are taken once', async () => {
    const reply = await mock.request('POST', `${API}/contacts`, {
      body: { email: 'repeats@example.com', tags: ['vip', 'vip', 'demo'] },
    });
    assert.equal(reply.status, 201);
    assert.deepEqual(mock.server.services.store.get('contacts', reply.body.id)?.tags, [
      'vip',
      'demo',
    ]);
  });

  test('the same email in another case updates: 200, same id and created_at, merged', async () => {
    const first = await mock.request('POST', `${API}/contacts`, {
      body: {
        email: 'merge@example.com',
        name: 'Old',
        tags: ['a'],
        customFields: { x: 1, y: 'keep' },
      },
    });
    const events = mock.server.services.store.all('events').length;
    const second = await mock.request('POST', `${API}/contacts`, {
      body: { email: 'MERGE@example.com', name: 'New', tags: ['b', 'a'], customFields: { x: 2 } },
    });
    assert.equal(second.status, 200);
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.body.created_at, first.body.created_at);
    assert.equal(second.body.email, 'merge@example.com');
    assert.equal(second.body.name, 'New');
    const stored = mock.server.services.store.get('contacts', first.body.id);
    assert.deepEqual(stored?.tags, ['a', 'b']);
    assert.deepEqual(stored?.customFields, { x: 2, y: 'keep' });
    assert.equal(mock.server.services.store.all('events').length, events, 'no second event');
  });

  for (const [first, second] of [
    ['josé@example.com', 'JOSÉ@EXAMPLE.COM'],
    ['ÀDA@example.com', 'àda@example.com'],
    ['a@exämple.com', 'a@EXÄMPLE.com'],
    // One mailbox in other writings: a domain's ASCII form, a decomposed local part (RFC 6532).
    ['idn@münchen.de', 'IDN@xn--mnchen-3ya.de'],
    ['idn2@xn--mnchen-3ya.de', 'idn2@MÜNCHEN.de'],
    ['josé.nfc@example.com', 'jose\u0301.nfc@example.com'],
  ]) {
    test(`one mailbox however written: ${first} then ${second} is one contact`, async () => {
      // Globex: the RFC 6531 tests above made some of these addresses in Acme.
      const key = DEMO_KEYS.globex;
      const created = await mock.request('POST', `${API}/contacts`, {
        key,
        body: { email: first },
      });
      assert.equal(created.status, 201, created.text);
      const updated = await mock.request('POST', `${API}/contacts`, {
        key,
        body: { email: second, name: 'Second' },
      });
      assert.equal(updated.status, 200, updated.text);
      assert.equal(updated.body.id, created.body.id);
      assert.equal(updated.body.email, first, 'the stored email keeps its first case');
      assert.equal(updated.body.name, 'Second');
    });
  }

  for (const [why, body, code] of [
    ['no email', { name: 'x' }, 'missing-email'],
    ['an empty email', { email: '' }, 'missing-email'],
    ['a blank email', { email: '  ' }, 'missing-email'],
    // Blank still, however long: not an over-long value.
    ['a blank email over the length limit', { email: ' '.repeat(300) }, 'missing-email'],
    ['a null email', { email: null }, 'missing-email'],
    ['a malformed email', { email: 'nope' }, 'invalid-email'],
    ['a null name', { email: 'a@example.com', name: null }, 'invalid-request'],
    ['an email that is a number', { email: 5 }, 'invalid-request'],
    ['tags that are not a list', { email: 'a@example.com', tags: 'vip' }, 'invalid-request'],
    [
      'a nested custom field',
      { email: 'a@example.com', customFields: { a: { b: 1 } } },
      'invalid-request',
    ],
    ['an unknown field', { email: 'a@example.com', custom_fields: {} }, 'invalid-request'],
    ['a body that is a list', [{ email: 'a@example.com' }], 'invalid-request'],
    ['a body that is a string', 'a@example.com', 'invalid-request'],
    ['a body that is null', null, 'invalid-request'],
  ] as const) {
    test(`${why} is ${code}`, async () => {
      const count = mock.server.services.store.all('contacts').length;
      assertError(await mock.request('POST', `${API}/contacts`, { body }), 400, code);
      assert.equal(mock.server.services.store.all('contacts').length, count, 'nothing stored');
    });
  }

  test('a workspace without a primary site is workspace-site-missing', async () => {
    const reply = await mock.request('POST', `${API}/contacts`, {
      key: DEMO_KEYS.nosite,
      body: { email: 'someone@example.com' },
    });
    assertError(reply, 409, 'workspace-site-missing');
  });
});

describe('POST /contacts/{id}/tags', () => {
  test('adds a tag; adding it again succeeds and changes nothing', async () => {
    const reply = await mock.request('POST', `${API}/contacts/contact_124/tags`, {
      body: { tag: 'vip' },
    });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { ok: true, id: 'contact_124', tag: 'vip' });
    const before = structuredClone(mock.server.services.store.get('contacts', 'contact_124'));
    const again = await mock.request('POST', `${API}/contacts/contact_124/tags`, {
      body: { tag: 'vip' },
    });
    assert.equal(again.status, 200);
    assert.deepEqual(mock.server.services.store.get('contacts', 'contact_124'), before);
    assert.equal(before?.tags.filter((tag) => tag === 'vip').length, 1);
  });

  for (const [why, body, code] of [
    ['no tag', {}, 'missing-tag'],
    ['an empty tag', { tag: '' }, 'missing-tag'],
    ['a blank tag over the length limit', { tag: ' '.repeat(101) }, 'missing-tag'],
    ['a tag that is a list', { tag: ['a'] }, 'invalid-request'],
  ] as const) {
    test(`${why} is ${code}`, async () => {
      const reply = await mock.request('POST', `${API}/contacts/contact_124/tags`, { body });
      assertError(reply, 400, code);
    });
  }

  test('an unknown contact is not-found', async () => {
    const reply = await mock.request('POST', `${API}/contacts/contact_nobody/tags`, {
      body: { tag: 'x' },
    });
    assertError(reply, 404, 'not-found');
  });
});

describe('a stored contact obeys the limits of a request after a merge', () => {
  const fields = (prefix: string, count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, i]));
  const tags = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  const upsert = (body: object, headers: Record<string, string> = {}) =>
    mock.request('POST', `${API}/contacts`, { body, headers });
  const stored = (id: string) => structuredClone(mock.server.services.store.get('contacts', id));

  test('upserts that keep merging new custom fields stop at 100, changing nothing', async () => {
    const email = 'growth@example.com';
    const first = await upsert({ email, customFields: fields('a', 100) });
    assert.equal(first.status, 201, first.text);
    const before = stored(first.body.id);
    // The attack: each upsert merges 100 new fields into the same contact.
    for (const prefix of ['b', 'c', 'd', 'e']) {
      const reply = await upsert({ email, name: 'Changed', customFields: fields(prefix, 100) });
      assertError(reply, 400, 'invalid-request');
      assert.equal(
        reply.body.message,
        "customFields: at most 100 fields on a stored contact; this request would leave 200 (the mock's own guard, not a rule of the Chatting API)",
      );
    }
    assert.deepEqual(stored(first.body.id), before, 'nothing of a refused upsert is stored');
    const one = await upsert({ email, customFields: { z: 1 } });
    assertError(one, 400, 'invalid-request');
    assert.match(one.body.message, /^customFields: at most 100 fields .* would leave 101 \(/);
    // Replacing values the contact has keeps it at 100: allowed.
    const replaced = await upsert({ email, customFields: { a0: 'new', a99: 'new' } });
    assert.equal(replaced.status, 200, replaced.text);
    assert.equal(Object.keys(stored(first.body.id)?.customFields ?? {}).length, 100);
  });

  test('tags stop at 100, through an upsert or POST /contacts/{id}/tags', async () => {
    const email = 'tagged@example.com';
    const first = await upsert({ email, tags: tags('t', 95) });
    assert.equal(first.status, 201, first.text);
    const over = await upsert({ email, tags: tags('u', 10) });
    assertError(over, 400, 'invalid-request');
    assert.equal(
      over.body.message,
      "tags: at most 100 items on a stored contact; this request would leave 105 (the mock's own guard, not a rule of the Chatting API)",
    );
    assert.equal(stored(first.body.id)?.tags.length, 95);
    const upTo = await upsert({ email, tags: tags('u', 5) });
    assert.equal(upTo.status, 200, upTo.text);
    const tag = (value: string) =>
      mock.request('POST', `${API}/contacts/${first.body.id}/tags`, { body: { tag: value } });
    const added = await tag('one-more');
    assertError(added, 400, 'invalid-request');
    assert.match(added.body.message, /^tags: at most 100 items .* would leave 101 \(/);
    assert.equal((await tag('t0')).status, 200, 'a tag the contact has changes nothing');
    assert.equal(stored(first.body.id)?.tags.length, 100);
  });

  test('a refused upsert stores no idempotency record: the key can be used again', async () => {
    const email = 'keyed@example.com';
    assert.equal((await upsert({ email, customFields: fields('a', 100) })).status, 201);
    const headers = { 'idempotency-key': 'over-the-limit' };
    assertError(await upsert({ email, customFields: { z: 1 } }, headers), 400, 'invalid-request');
    const corrected = await upsert({ email, customFields: { a0: 'fixed' } }, headers);
    assert.equal(corrected.status, 200, corrected.text);
  });
});

describe('POST /conversations/{id}/messages', () => {
  test('adds a message, sent by system unless told otherwise', async () => {
    const reply = await mock.request('POST', `${API}/conversations/conv_124/messages`, {
      body: { message: 'Thanks, we got your message.' },
    });
    assert.equal(reply.status, 201);
    assert.match(reply.body.id, /^msg_/);
    assert.equal(reply.body.conversation_id, 'conv_124');
    assert.equal(reply.body.sender, 'system');
    const stored = mock.server.services.store.get('messages', reply.body.id);
    assert.equal(stored?.message, 'Thanks, we got your message.');

    const agent = await mock.request('POST', `${API}/conversations/conv_124/messages`, {
      body: { message: 'On it.', sender: 'agent' },
    });
    assert.equal(agent.body.sender, 'agent');
  });

  for (const [why, body, code] of [
    ['no message', { sender: 'system' }, 'missing-message'],
    ['a blank message', { message: ' \n ' }, 'missing-message'],
    ['a blank message over the length limit', { message: ' '.repeat(10_001) }, 'missing-message'],
    ['a message that is a number', { message: 1 }, 'invalid-request'],
  ] as const) {
    test(`${why} is ${code}`, async () => {
      const reply = await mock.request('POST', `${API}/conversations/conv_124/messages`, { body });
      assertError(reply, 400, code);
    });
  }

  test('an unknown conversation is not-found', async () => {
    const reply = await mock.request('POST', `${API}/conversations/conv_nothing/messages`, {
      body: { message: 'hi' },
    });
    assertError(reply, 404, 'not-found');
  });
});

describe("the mock's guards: limits the reference does not set", () => {
  const contact = { email: 'guard@example.com' };
  const many = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
  for (const [path, body, message] of [
    ['/contacts', { email: `${'x'.repeat(250)}@example.com` }, 'email: at most 254 characters'],
    ['/contacts', { ...contact, name: 'x'.repeat(201) }, 'name: at most 200 characters'],
    ['/contacts', { ...contact, company: 'x'.repeat(201) }, 'company: at most 200 characters'],
    ['/contacts', { ...contact, phone: 'x'.repeat(51) }, 'phone: at most 50 characters'],
    ['/contacts', { ...contact, status: 'x'.repeat(51) }, 'status: at most 50 characters'],
    ['/contacts', { ...contact, tags: ['x'.repeat(101)] }, 'tags.0: at most 100 characters'],
    ['/contacts', { ...contact, tags: many(101) }, 'tags: at most 100 items'],
    [
      '/contacts',
      { ...contact, customFields: Object.fromEntries(many(101).map((k) => [k, 1])) },
      'customFields: at most 100 fields',
    ],
    [
      '/contacts',
      { ...contact, customFields: { crm: 'x'.repeat(2001) } },
      'customFields.crm: at most 2000 characters',
    ],
    [
      '/contacts',
      { ...contact, customFields: { ['k'.repeat(101)]: 1 } },
      `customFields: field name "${'k'.repeat(40)}…": at most 100 characters`,
    ],
    ['/contacts', { ...contact, nickname: 'x' }, 'nickname: is not a field of this body'],
    ['/contacts/contact_123/tags', { tag: 'x'.repeat(101) }, 'tag: at most 100 characters'],
    [
      '/conversations/conv_123/messages',
      { message: 'x'.repeat(10_001) },
      'message: at most 10000 characters',
    ],
    [
      '/conversations/conv_123/messages',
      { message: 'm', sender: 'x'.repeat(101) },
      'sender: at most 100 characters',
    ],
    [
      '/webhooks/subscribe',
      { event: 'tag.added', target_url: `https://example.com/${'x'.repeat(2048)}` },
      'target_url: at most 2048 characters',
    ],
  ] as const) {
    test(`${path}: ${message}`, async () => {
      const reply = await mock.request('POST', `${API}${path}`, { body });
      assert.equal(reply.status, 400, reply.text);
      // CONTRACT.md: every guard answers invalid-request, target_url's included.
      assert.equal(reply.body.error, 'invalid-request');
      assert.equal(
        reply.body.message,
        `${message} (the mock's own guard, not a rule of the Chatting API)`,
      );
    });
  }

  test('a violation that is not a guard says what is wrong in words, not the schema', async () => {
    for (const [path, body, message] of [
      [
        '/webhooks/subscribe',
        { event: 'tag.added', target_url: 'ftp://x' },
        'target_url: must be an absolute http(s) URL with a host (and a port up to 65535)',
      ],
      // What the schema's pattern states, so a tool reading only the spec refuses it too.
      [
        '/webhooks/subscribe',
        { event: 'tag.added', target_url: 'https://example.com:99999/' },
        'target_url: must be an absolute http(s) URL with a host (and a port up to 65535)',
      ],
      // What only the WHATWG parser knows, worded the same way.
      [
        '/webhooks/subscribe',
        { event: 'tag.added', target_url: 'https://exa%20mple.com/' },
        'target_url: is not a URL a WHATWG parser reads (its host, percent-decoded, is no valid name or address)',
      ],
      ['/contacts', { email: 'nope' }, 'email: is not an email address'],
      ['/contacts', { email: ' ' }, 'email: must not be blank'],
      ['/contacts', { email: 'a@example.com', tags: 'vip' }, 'tags: must be a list, not a string'],
    ] as const) {
      const reply = await mock.request('POST', `${API}${path}`, { body });
      assert.equal(reply.body.message, message);
    }
    // 1e400 is JSON, but beyond a double: JSON.parse reads Infinity.
    const huge = await fetch(`${mock.base}${API}/contacts`, {
      method: 'POST',
      headers: { 'x-api-key': DEMO_KEYS.acme, 'content-type': 'application/json' },
      body: '{"email":"huge@example.com","customFields":{"a":1e400}}',
    });
    assert.equal(huge.status, 400);
    assert.match(
      ((await huge.json()) as { message: string }).message,
      /^customFields\.a: must be .*, not a number too large to hold$/,
    );
  });
});
