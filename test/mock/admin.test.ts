import fc from 'fast-check';
import assert from 'node:assert/strict';
import { globMatches, MAX_FAULT_RULES } from '../../mock-server/api/fault-injection';
import { contactByEmail } from '../../mock-server/store/lookups';
import { buildContact } from '../../mock-server/domain/records';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ERROR_CODES, validate } from '../../schemas/validator';
import { operations, readOpenapi } from '../contract/guards';
import { adminGuardRefusal } from '../../mock-server/admin/guard';
import { MOCK_CLI } from '../helpers/child';
import { assertError, call, DEMO_KEYS, startMock, type RunningMock } from '../helpers/mock';

const API = '/api/zapier';
const run = promisify(execFile);
let mock: RunningMock;
const admin = (method: string, path: string, body?: unknown) =>
  mock.request(method, `/__admin${path}`, { key: null, body });

beforeAll(async () => {
  mock = await startMock();
});
afterAll(async () => {
  await mock.stop();
});

describe('admin API', () => {
  test('health', async () => {
    const reply = await admin('GET', '/health');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.store, 'memory');
  });

  test('workspaces: create one with a key that works, revoke the key', async () => {
    const created = await admin('POST', '/workspaces', {
      team_name: 'Initech',
      owner_email: 'bill@initech.example',
    });
    assert.equal(created.status, 201);
    const key = created.body.api_key as string;
    const me = await mock.request('GET', `${API}/me`, { key });
    assert.equal(me.body.team_name, 'Initech');
    const contact = await mock.request('POST', `${API}/contacts`, {
      key,
      body: { email: 'peter@initech.example' },
    });
    assert.equal(contact.status, 201, 'a primary site comes with the workspace');

    const second = await admin('POST', `/workspaces/${created.body.workspace.id}/keys`);
    assert.equal(second.status, 201);
    assert.equal(
      (await admin('DELETE', `/keys/${created.body.api_key.split('_')[2]}`)).status,
      200,
    );
    assertError(await mock.request('GET', `${API}/me`, { key }), 401, 'api-key-invalid');
    assert.equal(
      (await mock.request('GET', `${API}/me`, { key: second.body.api_key })).status,
      200,
    );

    const list = await admin('GET', '/workspaces');
    const listed = list.body.items.find((w: { id: string }) => w.id === created.body.workspace.id);
    assert.equal(listed.keys.length, 2);
    assert.ok(!list.text.includes('"hash"') && !list.text.includes('"salt"'), 'no secrets listed');
  });

  test('sites: a workspace without one gets workspace-site-missing until a site is added', async () => {
    const created = await admin('POST', '/workspaces', {
      team_name: 'Siteless',
      owner_email: 'x@siteless.example',
      primary_site: false,
    });
    const key = created.body.api_key as string;
    assertError(
      await mock.request('POST', `${API}/contacts`, { key, body: { email: 'a@b.example' } }),
      409,
      'workspace-site-missing',
    );
    const site = await admin('POST', `/workspaces/${created.body.workspace.id}/sites`, {
      domain: 'siteless.example',
    });
    assert.equal(site.status, 201);
    assert.equal(
      (await mock.request('POST', `${API}/contacts`, { key, body: { email: 'a@b.example' } }))
        .status,
      201,
    );
  });

  for (const event of [
    'conversation.created',
    'conversation.resolved',
    'contact.created',
    'tag.added',
  ]) {
    test(`POST /events ${event}: recorded, valid, first in its sample list`, async () => {
      const reply = await admin('POST', '/events', { workspace_id: 'owner_456', event, data: {} });
      assert.equal(reply.status, 201, reply.text);
      assert.equal(reply.body.event.event, event);
      assert.equal(reply.body.deliveries, 0);
      const sample =
        event === 'contact.created' ? '/contacts?limit=1' : `/conversations?limit=1&event=${event}`;
      const listed = await mock.request('GET', `${API}${sample}`, { key: DEMO_KEYS.globex });
      assert.deepEqual(listed.body.items[0], reply.body.event);
    });
  }

  test("POST /events conversation.created stores the visitor's first message; resolved counts it", async () => {
    const created = await admin('POST', '/events', {
      workspace_id: 'owner_123',
      event: 'conversation.created',
      data: { first_message: 'Is anyone there?' },
    });
    const id = created.body.event.data__conversation_id;
    const messages = mock.server.services.store.find('messages', 'by_conversation', [id]);
    assert.deepEqual(
      messages.map(({ message, sender }) => ({ message, sender })),
      [{ message: 'Is anyone there?', sender: 'visitor' }],
    );
    const sent = await mock.request('POST', `${API}/conversations/${id}/messages`, {
      body: { message: 'Yes, how can I help?' },
    });
    assert.equal(sent.status, 201, sent.text);
    const resolved = await admin('POST', '/events', {
      workspace_id: 'owner_123',
      event: 'conversation.resolved',
      data: { conversation_id: id },
    });
    assert.equal(resolved.body.event.data__message_count, 2);
  });

  test('POST /events uses the data given', async () => {
    const reply = await admin('POST', '/events', {
      workspace_id: 'owner_123',
      event: 'conversation.created',
      data: { visitor_email: 'ada@example.com', visitor_name: 'Ada', first_message: 'Hello?' },
    });
    assert.equal(reply.body.event.data__visitor_email, 'ada@example.com');
    assert.equal(reply.body.event.data.first_message, 'Hello?');
    const id = reply.body.event.data__conversation_id;
    const resolved = await admin('POST', '/events', {
      workspace_id: 'owner_123',
      event: 'conversation.resolved',
      data: { conversation_id: id, message_count: 3 },
    });
    assert.equal(resolved.body.event.data__conversation_id, id);
    assert.equal(resolved.body.event.data__message_count, 3);
    assert.equal(mock.server.services.store.get('conversations', id)?.status, 'resolved');
  });

  test('POST /events keeps a null given (an anonymous visitor); only what is left out is made up', async () => {
    const nulls = { visitor_email: null, visitor_name: null, page_url: null, first_message: null };
    const created = await admin('POST', '/events', {
      workspace_id: 'owner_123',
      event: 'conversation.created',
      data: nulls,
    });
    assert.equal(created.status, 201, created.text);
    const id = created.body.event.data__conversation_id;
    const store = mock.server.services.store;
    for (const [field, value] of Object.entries(nulls)) {
      assert.equal(created.body.event.data[field], value, `delivered ${field}`);
      assert.equal(Reflect.get(store.get('conversations', id) ?? {}, field), value, field);
    }
    assert.equal(store.count('messages', 'by_conversation', [id]), 0, 'no first message');
    const resolved = await admin('POST', '/events', {
      workspace_id: 'owner_123',
      event: 'conversation.resolved',
      data: { conversation_id: id, resolved_by: null },
    });
    assert.equal(resolved.body.event.data__resolved_by, null);
    assert.equal(store.get('conversations', id)?.resolved_by, null, 'stored as delivered');
  });
  const EVENT_REFUSALS = [
    ['an unknown workspace', { workspace_id: 'nobody', event: 'tag.added' }, 404, 'not-found'],
    [
      'an unknown event',
      { workspace_id: 'owner_123', event: 'chat.exploded' },
      400,
      'invalid-request',
    ],
    [
      'an unknown data field',
      { workspace_id: 'owner_123', event: 'tag.added', data: { colour: 'red' } },
      400,
      'invalid-request',
    ],
    [
      "a field of another event's data",
      { workspace_id: 'owner_123', event: 'tag.added', data: { email: 'a@example.com' } },
      400,
      'invalid-request',
    ],
    [
      'a data field of the wrong type for its event',
      { workspace_id: 'owner_123', event: 'tag.added', data: { tag: 42 } },
      400,
      'invalid-request',
    ],
    [
      'a data field of the wrong type',
      { workspace_id: 'owner_123', event: 'contact.created', data: { name: 42 } },
      400,
      'invalid-request',
    ],
    [
      "another workspace's conversation",
      { workspace_id: 'owner_123', event: 'tag.added', data: { conversation_id: 'conv_456' } },
      404,
      'not-found',
    ],
    [
      'a contact in a workspace without a site',
      { workspace_id: 'owner_789', event: 'contact.created' },
      409,
      'workspace-site-missing',
    ],
  ] as const;
  for (const [why, body, status, code] of EVENT_REFUSALS) {
    test(`POST /events with ${why} is ${code}`, async () => {
      assertError(await admin('POST', '/events', body), status, code);
    });
  }

  test('openapi.yaml declares each of these refusals of POST /__admin/events', () => {
    const op = operations(readOpenapi(), ERROR_CODES).find(
      ({ method, path }) => method === 'POST' && path === '/__admin/events',
    );
    for (const [why, , status, code] of EVENT_REFUSALS) {
      assert.ok(op?.errorCodes[status]?.includes(code), `${why}: ${status} ${code}`);
    }
  });

  test('deliveries: list with filters, one, redeliver', async () => {
    const sub = await mock.request('POST', `${API}/webhooks/subscribe`, {
      body: { event: 'contact.created', target_url: 'http://127.0.0.1:9/unreachable' },
    });
    await admin('POST', '/events', { workspace_id: 'owner_123', event: 'contact.created' });
    const list = await admin('GET', `/deliveries?subscription_id=${sub.body.id}`);
    assert.equal(list.body.items.length, 1);
    const [item] = list.body.items;
    for (const field of [
      'id',
      'subscription_id',
      'event',
      'target_url',
      'status',
      'attempts',
      'last_status_code',
      'payload',
    ]) {
      assert.ok(field in item, field);
    }
    const one = await admin('GET', `/deliveries/${item.id}`);
    assert.ok(Array.isArray(one.body.delivery.history));
    const again = await admin('POST', `/deliveries/${item.id}/redeliver`);
    assert.equal(again.status, 201);
    assert.equal(again.body.delivery.redelivery_of, item.id);
    assert.deepEqual(again.body.delivery.payload, item.payload);
    assertError(await admin('GET', '/deliveries/dlv_nothing'), 404, 'not-found');
    assertError(await admin('GET', '/deliveries?status=lost'), 400, 'invalid-request');
  });

  test('journal: the last requests with status, workspace, redacted headers and bodies', async () => {
    await mock.request('POST', `${API}/contacts`, { body: { email: 'journal@example.com' } });
    const reply = await admin('GET', '/journal?limit=1');
    const [entry] = reply.body.items;
    assert.equal(entry.method, 'POST');
    assert.equal(entry.path, '/api/zapier/contacts');
    assert.equal(entry.status, 201);
    assert.equal(entry.workspace_id, 'owner_123');
    assert.equal(entry.request.headers['x-api-key'], '[redacted]');
    assert.match(entry.request.body, /journal@example.com/);
    assert.match(entry.response.body, /"ok":true/);
    assert.ok(!reply.text.includes(DEMO_KEYS.acme));
  });

  test('journal: browsing the raw state (/__admin/db) is not an API request', async () => {
    await mock.request('GET', `${API}/me`);
    for (const path of ['/db/contacts?_limit=1', '/db/conversations?workspace_id=owner_123']) {
      assert.equal((await admin('GET', path)).status, 200);
    }
    const [entry] = (await admin('GET', '/journal?limit=1')).body.items;
    assert.equal(entry.path, '/api/zapier/me');
  });

  test('reset puts the seed back', async () => {
    await mock.request('POST', `${API}/contacts`, { body: { email: 'temporary@example.com' } });
    assert.equal((await admin('POST', '/reset')).status, 200);
    assert.equal(
      contactByEmail(mock.server.services.store, 'owner_123', 'temporary@example.com'),
      undefined,
    );
    assert.ok(mock.server.services.store.get('contacts', 'contact_123'));
  });

  test('seed: a QA fixture replaces the state; an invalid one is refused', async () => {
    const token = 'chatting_live_fixture_fixturefixturefixture';
    const seeded = await admin('POST', '/seed', {
      workspaces: [
        {
          id: 'fx',
          team_name: 'Fixture',
          owner_email: 'fx@example.com',
          primary_site_id: null,
          created_at: '2026-01-01T00:00:00.000Z',
        },
      ],
      api_keys: [{ token, workspace_id: 'fx' }],
    });
    assert.equal(seeded.status, 200, seeded.text);
    assert.equal((await mock.request('GET', `${API}/me`, { key: token })).body.workspace_id, 'fx');
    assertError(await mock.request('GET', `${API}/me`), 401, 'api-key-invalid');
    assertError(await admin('POST', '/seed', { contacts: [{ id: 1 }] }), 400, 'invalid-request');
    await admin('POST', '/reset');
  });

  test('seed: a repeated id, or an email repeated in a workspace in any case, is refused and changes nothing', async () => {
    const workspace = {
      id: 'fx',
      team_name: 'Fixture',
      owner_email: 'fx@example.com',
      primary_site_id: null,
      created_at: '2026-01-01T00:00:00.000Z',
    };
    const contact = (id: string, workspaceId: string, email: string) =>
      buildContact(
        { id, workspace_id: workspaceId, site_id: `site_${workspaceId}`, email },
        '2026-01-01T00:00:00.000Z',
      );
    const other = { ...workspace, id: 'fy' };
    const contacts = mock.server.services.store.all('contacts').length;
    for (const [why, seed, message] of [
      [
        'an id twice',
        { workspaces: [workspace, workspace] },
        /workspaces\[1\] has the id of workspaces\[0\], "fx"/,
      ],
      [
        'an email twice in a workspace',
        {
          workspaces: [workspace],
          contacts: [
            contact('c1', 'fx', 'ada@example.org'),
            contact('c2', 'fx', 'ADA@Example.org'),
          ],
        },
        /contacts\[1\] has the email of contacts\[0\] in workspace fx, "ADA@Example.org"/,
      ],
    ] as const) {
      const refused = await admin('POST', '/seed', seed);
      assertError(refused, 400, 'invalid-request');
      assert.match(refused.body.message, message, why);
    }
    assert.equal(mock.server.services.store.all('contacts').length, contacts, 'nothing changed');
    // One email in two workspaces is two contacts.
    const seeded = await admin('POST', '/seed', {
      workspaces: [workspace, other],
      contacts: [contact('c1', 'fx', 'ada@example.org'), contact('c2', 'fy', 'ada@example.org')],
    });
    assert.equal(seeded.status, 200, seeded.text);
    await admin('POST', '/reset');
  });

  test('the db browser is read-only', async () => {
    assertError(await admin('DELETE', '/db/contacts/contact_123'), 405, 'method-not-allowed');
    const reply = await admin('GET', '/db/workspaces?team_name=Globex');
    assert.deepEqual(
      reply.body.map((w: { id: string }) => w.id),
      ['owner_456'],
    );
  });

  test('the db browser sorts, and answers what it does not know with the envelope', async () => {
    const sorted = await admin('GET', '/db/workspaces?_sort=team_name&_order=desc');
    const names = sorted.body.map((w: { team_name: string }) => w.team_name);
    assert.deepEqual(names, [...names].sort().reverse());
    assert.equal(names.length, 3);
    assertError(await admin('GET', '/db/nothing'), 404, 'not-found');
    assertError(await admin('GET', '/db/contacts/contact_123/tags/more'), 404, 'not-found');
  });

  for (const query of ['_sort=id&_sort=email', '_sort[]=id', '_order[]=asc', '_delay=100000']) {
    test(`the db browser refuses ?${query} with the envelope, not a stack trace`, async () => {
      assertError(await admin('GET', `/db/contacts?${query}`), 400, 'invalid-request');
    });
  }

  test('_like is a case-insensitive substring, never a regular expression', async () => {
    const ids = async (query: string) =>
      ((await admin('GET', `/db/contacts?${query}`)).body as { id: string }[]).map((c) => c.id);
    assert.deepEqual(await ids('name_like=AVA'), ['contact_123']);
    assert.deepEqual(await ids('name_like=zzz&name_like=brooks'), ['contact_123']);
    assert.deepEqual(await ids('name_like=a.a'), []);
    assert.deepEqual(await ids('name_like=ava&email_like=nobody'), []);
    // As a regular expression, ^(a+)+$ backtracks exponentially over a run of a's that ends in
    // something else (0.7 s for 28 of them); here it is plain text.
    const name = `${'a'.repeat(40)}!`;
    await mock.request('POST', `${API}/contacts`, { body: { email: 'redos@example.com', name } });
    assert.deepEqual(await ids(`name_like=${encodeURIComponent('^(a+)+$')}`), []);
    assert.equal((await ids(`name_like=${encodeURIComponent(name)}`)).length, 1);
  });

  test('joins: _expand follows <name>_id, _embed gathers what points back, per record shown', async () => {
    type Row = { id: string; conversation_id?: string; conversation?: Row; messages?: Row[] };
    const messages = (await admin('GET', '/db/messages')).body as Row[];
    const expanded = await admin('GET', '/db/messages?_expand=conversation&_expand=workspace');
    assert.equal(expanded.status, 200, expanded.text);
    assert.equal((expanded.body as Row[]).length, messages.length);
    for (const message of expanded.body as (Row & { workspace_id: string; workspace: Row })[]) {
      assert.equal(message.conversation?.id, message.conversation_id);
      assert.equal(message.workspace.id, message.workspace_id);
    }
    const embedded = await admin('GET', '/db/conversations/conv_123?_embed=messages');
    assert.equal(embedded.status, 200, embedded.text);
    assert.deepEqual(
      (embedded.body as Row).messages?.map((message) => message.id).sort(),
      messages
        .filter((message) => message.conversation_id === 'conv_123')
        .map((message) => message.id)
        .sort(),
    );
    // A page of a list is joined too, and only the page is shown.
    const page = await admin('GET', '/db/conversations?_embed=messages&_limit=1');
    assert.equal((page.body as Row[]).length, 1);
    assert.ok(Array.isArray((page.body as Row[])[0].messages));
  });

  test('joins: a record without the reference is shown without it; a name that is no collection is invalid-request', async () => {
    // No workspace has a contacts_id (json-server threw on this one).
    const workspaces = await admin('GET', '/db/workspaces?_expand=contacts');
    assert.equal(workspaces.status, 200, workspaces.text);
    assert.ok((workspaces.body as object[]).length > 0);
    for (const workspace of workspaces.body as object[]) assert.ok(!('contacts' in workspace));
    for (const [query, message] of [
      ['_expand=primary_site', '_expand=primary_site: there is no collection primary_sites'],
      ['_embed=nothing', '_embed=nothing: there is no collection nothing'],
      ['_embed=__proto__', '_embed=__proto__: there is no collection __proto__'],
    ]) {
      const reply = await admin('GET', `/db/workspaces?${query}`);
      assertError(reply, 400, 'invalid-request');
      assert.equal(reply.body.message, message);
    }
  });

  test('nested lists read the collection they list, _like included', async () => {
    const reply = await admin('GET', '/db/workspaces/owner_123/contacts?name_like=ava');
    assert.deepEqual(
      (reply.body as { id: string }[]).map((c) => c.id),
      ['contact_123'],
    );
  });

  test('an error inside json-server is the envelope, never its HTML stack trace', async () => {
    const store = mock.server.services.store;
    // A record json-server cannot read: the full-text search (q) reads every field.
    const record = Object.defineProperty({ id: 'c' }, 'name', {
      enumerable: true,
      get() {
        throw new Error('a field that cannot be read');
      },
    });
    store.snapshot = (() => ({ contacts: [record] })) as typeof store.snapshot;
    try {
      const reply = await admin('GET', '/db/contacts?q=x');
      assertError(reply, 400, 'invalid-request');
      assert.doesNotMatch(reply.text, /node_modules|<html|\n\s+at /);
    } finally {
      delete (store as { snapshot?: unknown }).snapshot;
    }
  });

  test('wrong methods and unknown admin routes get the envelope', async () => {
    assertError(await admin('DELETE', '/health'), 405, 'method-not-allowed');
    assertError(await admin('GET', '/nothing'), 404, 'not-found');
  });
});

describe('faults', () => {
  test('a rule answers its error for the next N matching requests only', async () => {
    const added = await admin('POST', '/faults', {
      method: 'POST',
      path: '/api/zapier/contacts',
      error: 'contact-save-failed',
      times: 2,
    });
    assert.equal(added.status, 201);
    for (let i = 0; i < 2; i++) {
      assertError(
        await mock.request('POST', `${API}/contacts`, { body: { email: 'f@example.com' } }),
        500,
        'contact-save-failed',
      );
    }
    assert.equal(
      (await mock.request('POST', `${API}/contacts`, { body: { email: 'f@example.com' } })).status,
      201,
    );
    assert.deepEqual((await admin('GET', '/faults')).body.items, []);
  });

  for (const code of ['contact-not-found', 'internal-error', 'api-key-invalid', 'not-found']) {
    test(`every documented code can be produced: ${code}`, async () => {
      await admin('POST', '/faults', { path: '/api/zapier/*', error: code, times: 1 });
      const reply = await mock.request('GET', `${API}/me`);
      assert.equal(reply.body.error, code);
      assert.ok(validate('error', reply.body).valid);
    });
  }

  test('a status only, a wildcard path and a Retry-After', async () => {
    await admin('POST', '/faults', {
      path: '/api/zapier/conv*',
      status: 429,
      retry_after: 7,
      times: 1,
    });
    const reply = await mock.request('GET', `${API}/conversations`);
    assertError(reply, 429, 'rate-limited');
    assert.equal(reply.headers.get('retry-after'), '7');
    assert.equal((await mock.request('GET', `${API}/conversations`)).status, 200);
  });

  test('a 503 for replay tests', async () => {
    await admin('POST', '/faults', {
      path: '/api/zapier/me',
      error: 'internal-error',
      status: 503,
      times: 1,
    });
    assertError(await mock.request('GET', `${API}/me`), 503, 'internal-error');
  });

  test('drop closes the connection without an answer', async () => {
    await admin('POST', '/faults', { path: '/api/zapier/me', drop: true, times: 1 });
    await assert.rejects(mock.request('GET', `${API}/me`));
    assert.equal((await mock.request('GET', `${API}/me`)).status, 200);
  });

  test('a delay only lets the request through, later', async () => {
    await admin('POST', '/faults', { path: '/api/zapier/me', delay_ms: 200, times: 1 });
    const started = Date.now();
    assert.equal((await mock.request('GET', `${API}/me`)).status, 200);
    assert.ok(Date.now() - started >= 190);
  });

  test('X-Mock-Fault makes a one-off fault', async () => {
    const reply = await mock.request('GET', `${API}/me`, {
      headers: { 'x-mock-fault': 'error=rate-limited; retry_after=2' },
    });
    assertError(reply, 429, 'rate-limited');
    assert.equal(reply.headers.get('retry-after'), '2');
    assertError(
      await mock.request('GET', `${API}/me`, { headers: { 'x-mock-fault': 'explode' } }),
      400,
      'invalid-request',
    );
    assert.equal((await mock.request('GET', `${API}/me`)).status, 200);
  });

  test('an injected 405 names the methods its path takes, as every 405 does', async () => {
    for (const fault of ['status=405', 'error=method-not-allowed']) {
      const reply = await mock.request('POST', `${API}/contacts`, {
        headers: { 'x-mock-fault': fault },
        body: { email: 'allow@example.com' },
      });
      assertError(reply, 405, 'method-not-allowed');
      assert.equal(reply.headers.get('allow'), 'GET, POST');
    }
  });

  test('a path of many stars costs linear time: /*a*a*…*b against a 60-character id', async () => {
    // As a regular expression this took 5.6 s for a 35-character id, doubling with each more.
    await admin('POST', '/faults', { path: `/${'*a'.repeat(12)}*b`, error: 'internal-error' });
    const id = 'a'.repeat(60);
    assertError(await mock.request('DELETE', `${API}/webhooks/${id}`), 404, 'not-found');
    assertError(await mock.request('DELETE', `${API}/webhooks/${id}b`), 500, 'internal-error');
    await admin('DELETE', '/faults');
  });

  test('globs match as anchored patterns of any runs of characters', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[ab*]{0,8}$/),
        fc.stringMatching(/^[ab]{0,10}$/),
        (glob, text) => {
          // The regular expression the rules used to be (a and b need no escaping).
          const reference = new RegExp(`^${glob.split('*').join('.*')}$`);
          assert.equal(globMatches(glob, text), reference.test(text), `${glob} ${text}`);
        },
      ),
      { numRuns: 2000 },
    );
    assert.equal(globMatches('/api/*/me', '/api/x/y/me'), true);
    assert.equal(globMatches('/a*a', '/a'), false);
  });

  test('rules can be removed', async () => {
    const added = await admin('POST', '/faults', {
      path: '/api/zapier/me',
      error: 'internal-error',
    });
    assertError(await mock.request('GET', `${API}/me`), 500, 'internal-error');
    assert.equal((await admin('DELETE', `/faults/${added.body.items[0].id}`)).status, 200);
    assert.equal((await mock.request('GET', `${API}/me`)).status, 200);
    assertError(await admin('POST', '/faults', { path: 'no-slash' }), 400, 'invalid-request');
  });

  test(`at most ${MAX_FAULT_RULES} rules at once: one more is refused, saying how to make room`, async () => {
    await admin('DELETE', '/faults');
    const rule = { path: `/${'*a'.repeat(200)}*b`, error: 'internal-error' };
    for (let i = 0; i < MAX_FAULT_RULES; i++) {
      assert.equal((await admin('POST', '/faults', rule)).status, 201);
    }
    const refused = await admin('POST', '/faults', rule);
    assertError(refused, 400, 'invalid-request');
    assert.match(refused.body.message, /at most 100 fault rules .*DELETE \/__admin\/faults/);
    assert.equal((await admin('GET', '/faults')).body.items.length, MAX_FAULT_RULES);
    // None of them matches: the API answers as usual.
    assert.equal((await mock.request('GET', `${API}/me`)).status, 200);
    await admin('DELETE', '/faults');
    assert.equal((await admin('POST', '/faults', rule)).status, 201);
    await admin('DELETE', '/faults');
  });
});

describe('rate limit', () => {
  test('--rate-limit N: the N+1st request of a key in a minute is rate-limited with Retry-After', async () => {
    const limited = await startMock({ rateLimitPerMinute: 3 });
    try {
      for (let i = 0; i < 3; i++)
        assert.equal((await limited.request('GET', `${API}/me`)).status, 200);
      const reply = await limited.request('GET', `${API}/me`);
      assertError(reply, 429, 'rate-limited');
      assert.ok(Number(reply.headers.get('retry-after')) >= 1);
      assert.equal(
        (await limited.request('GET', `${API}/me`, { key: DEMO_KEYS.globex })).status,
        200,
        'per key',
      );
    } finally {
      await limited.stop();
    }
  });
});

describe('admin guard', () => {
  test('with a token, every admin call must carry it; an API key is no substitute', async () => {
    const guarded = await startMock({ adminToken: 'let-me-in' });
    try {
      const health = (headers: Record<string, string>, key: string | null = null) =>
        call(guarded.base, 'GET', '/__admin/health', { key, headers });
      assertError(await health({}), 401, 'admin-token-missing');
      assertError(await health({}, DEMO_KEYS.acme), 401, 'admin-token-missing');
      assertError(await health({ 'x-admin-token': 'wrong' }), 401, 'admin-token-invalid');
      assert.equal((await health({ 'x-admin-token': 'let-me-in' })).status, 200);
      assert.equal((await health({ authorization: 'Bearer let-me-in' })).status, 200);
      assertError(
        await call(guarded.base, 'GET', '/__admin/db/contacts', { key: null }),
        401,
        'admin-token-missing',
      );
    } finally {
      await guarded.stop();
    }
  });

  test('off loopback without a token, or with a token no header can carry, the server refuses to start, saying why', async () => {
    assert.equal(adminGuardRefusal('127.0.0.1', null), null);
    assert.equal(adminGuardRefusal('::1', null), null);
    assert.equal(adminGuardRefusal('0.0.0.0', 'token'), null);
    assert.match(adminGuardRefusal('0.0.0.0', null) ?? '', /admin token/);
    // A token no header can carry as typed: blank, padded, or not ASCII; on loopback too.
    for (const token of [
      '   ',
      ' abc',
      'abc ',
      'two words',
      'пароль-команды',
      'geheim-schlüssel',
    ]) {
      for (const host of ['0.0.0.0', '127.0.0.1']) {
        assert.match(
          adminGuardRefusal(host, token) ?? '',
          /refusing the admin token: it must be visible ASCII/,
        );
      }
    }
    assert.equal(adminGuardRefusal('0.0.0.0', 'A-long_secret.for~the/team+1='), null);
    await assert.rejects(
      run(process.execPath, [MOCK_CLI, '--host', '0.0.0.0', '--memory'], {
        env: { ...process.env, CHATTING_MOCK_ADMIN_TOKEN: '' },
      }),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 2);
        assert.match(error.stderr, /refusing to listen on 0\.0\.0\.0 without an admin token/);
        return true;
      },
    );
    await assert.rejects(
      run(process.execPath, [MOCK_CLI, '--host', '0.0.0.0', '--memory', '--admin-token', '   ']),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 2);
        assert.match(error.stderr, /refusing the admin token/);
        return true;
      },
    );
  });
});
