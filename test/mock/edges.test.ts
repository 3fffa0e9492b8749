/**
 * The edges the HTTP framework handles before a route runs, and the admin API's guard: every
 * one answers with the envelope and the contract's status, for the API and the admin API alike.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { contactByEmail } from '../../mock-server/store/lookups';
import { validate } from '../../schemas/validator';
import { jsonShapeBeyond, MAX_JSON_CONTAINERS } from '../../mock-server/http/incoming';
import { reachableOrigins } from '../../mock-server/cli';
import { JOURNAL_MAX_BYTES } from '../../mock-server/http/recent-requests';
import { decodeEscapes, redact, redactUrl } from '../../mock-server/http/redaction';
import {
  assertError,
  call,
  DEMO_KEYS,
  startMock,
  useMock,
  type RunningMock,
} from '../helpers/mock';
import { storeRecord } from '../../mock-server/store/collections';
import { withWritesRefused } from '../helpers/database';
import { parseAnswers, rawConnection, rawRequest } from '../helpers/raw-http';
import { startReceiver, until } from '../helpers/receiver';

const API = '/api/zapier';
const mock = useMock();
afterEach(async () => {
  // Whatever came before, the server still serves.
  assert.equal((await mock.request('GET', `${API}/me`)).status, 200);
});

const json = (body: string) => ({ raw: body, headers: { 'content-type': 'application/json' } });

function assertEnvelope(answer: { status: number; body: unknown; raw: string }, status: number) {
  assert.equal(answer.status, status, answer.raw);
  assert.ok(validate('error', answer.body).valid, answer.raw);
}

describe('framework errors answer the envelope', () => {
  test('a malformed percent-encoding in the path is invalid-request', async () => {
    assertError(await mock.request('DELETE', `${API}/webhooks/%zz`), 400, 'invalid-request');
    assertError(
      await mock.request('GET', '/__admin/deliveries/%zz', { key: null }),
      400,
      'invalid-request',
    );
  });

  test('an id up to the schema limit (128) is routed: a 120-character contact can be tagged', async () => {
    const seeded = mock.server.services.store.get('contacts', 'contact_123');
    assert.ok(seeded);
    const id = `contact_${'x'.repeat(112)}`;
    await mock.server.services.store.commit([
      storeRecord('contacts', { ...seeded, id, email: 'long-id@example.com' }),
    ]);
    const reply = await mock.request('POST', `${API}/contacts/${id}/tags`, {
      body: { tag: 'vip' },
    });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.body.id, id);
  });

  for (const length of [129, 2000]) {
    test(`an id of ${length} characters names no record: not-found`, async () => {
      const id = 'a'.repeat(length);
      assertError(await mock.request('DELETE', `${API}/webhooks/${id}`), 404, 'not-found');
      assertError(
        await mock.request('DELETE', `/__admin/faults/${id}`, { key: null }),
        404,
        'not-found',
      );
    });
  }

  test('HTTP/1.1 without Host is invalid-request, with the envelope', async () => {
    const answer = await rawRequest(
      mock.base,
      `GET ${API}/me HTTP/1.1\r\nX-API-Key: ${DEMO_KEYS.acme}\r\nConnection: close\r\n\r\n`,
    );
    assertEnvelope(answer, 400);
    assert.equal((answer.body as { error: string }).error, 'invalid-request');
  });

  for (const method of ['TRACE', 'PROPFIND', 'PURGE']) {
    test(`${method} on a known path is method-not-allowed with Allow`, async () => {
      const answer = await rawRequest(
        mock.base,
        `${method} ${API}/me HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\nConnection: close\r\n\r\n`,
      );
      assertEnvelope(answer, 405);
      assert.match(answer.raw, /\r\nallow: GET\r\n/i);
      const admin = await rawRequest(
        mock.base,
        `${method} /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      );
      assertEnvelope(admin, 405);
      const browser = await rawRequest(
        mock.base,
        `${method} /__admin/db/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      );
      assertEnvelope(browser, 405);
      assert.match(browser.raw, /\r\nallow: GET\r\n/i);
    });
  }

  test('a path without parameters wins over one with: DELETE /webhooks/subscribe is 405, not a webhook id', async () => {
    const reply = await mock.request('DELETE', `${API}/webhooks/subscribe`);
    assertError(reply, 405, 'method-not-allowed');
    assert.equal(reply.headers.get('allow'), 'POST');
    assertError(
      await mock.request('DELETE', `${API}/webhooks/subscribe`, { key: null }),
      401,
      'api-key-missing',
    );
    // Not counted as a route the mock serves (openapi.yaml lists none).
    assert.ok(
      !mock.server.routes.some(
        (r) => r.method === 'DELETE' && r.url.endsWith('/webhooks/subscribe'),
      ),
    );
  });

  test("a wrong method meets its path's checks first: the API key, a fault rule", async () => {
    assertError(await mock.request('DELETE', `${API}/me`, { key: null }), 401, 'api-key-missing');
    // An unknown path is not-found before any check.
    assertError(await mock.request('DELETE', `${API}/nothing`, { key: null }), 404, 'not-found');
    const fault = await mock.request('DELETE', `${API}/me`, {
      headers: { 'x-mock-fault': 'error=internal-error; status=503' },
    });
    assert.equal(fault.status, 503, fault.text);
  });

  test('with an admin token, a wrong method on an admin path needs the token before its 405', async () => {
    const guarded = await startMock({ adminToken: 'edge-token' });
    try {
      for (const path of ['/__admin/health', '/__admin/db/contacts']) {
        assertError(await guarded.request('DELETE', path), 401, 'admin-token-missing');
        const refused = await guarded.request('DELETE', path, {
          headers: { 'x-admin-token': 'edge-token' },
        });
        assertError(refused, 405, 'method-not-allowed');
      }
    } finally {
      await guarded.stop();
    }
  });

  test('a wrong method is 405 even with a body the route would refuse (not 415)', async () => {
    const reply = await mock.request('PUT', `${API}/contacts`, {
      raw: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    assertError(reply, 405, 'method-not-allowed');
  });
});

describe('bodies', () => {
  const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  for (const [path, body] of [
    [`${API}/contacts`, `{"email":"d@b.co","tags":${deep(5000)}}`],
    [`${API}/contacts/contact_123/tags`, `{"tag":${deep(5000)}}`],
    ['/__admin/events', `{"workspace_id":"owner_123","event":"tag.added","data":${deep(5000)}}`],
  ]) {
    test(`nesting 5,000 deep on ${path} is invalid-request, not a crash`, async () => {
      const reply = await mock.request('POST', path, json(body));
      assertError(reply, 400, 'invalid-request');
    });
  }

  test('a Content-Type with no body is no body: a DELETE goes through, a create says what is missing', async () => {
    const noBody = { raw: '', headers: { 'content-type': 'application/json' } };
    const subscribed = await mock.request('POST', `${API}/webhooks/subscribe`, {
      body: { event: 'contact.created', target_url: 'https://hooks.example/empty-body' },
    });
    assert.equal(subscribed.status, 201, subscribed.text);
    const id = subscribed.body.id as string;
    const removed = await mock.request('DELETE', `${API}/webhooks/${id}`, noBody);
    assert.equal(removed.status, 200, removed.text);
    const faults = await mock.request('DELETE', '/__admin/faults', { ...noBody, key: null });
    assert.equal(faults.status, 200, faults.text);
    const created = await mock.request('POST', `${API}/contacts`, noBody);
    assertError(created, 400, 'invalid-request');
    assert.match(created.body.message as string, /body: must be an object, not missing/);
  });

  test('more objects and arrays than a million are refused before the body is parsed', async () => {
    const many = `{"contacts":[${'{},'.repeat(MAX_JSON_CONTAINERS)}{}]}`;
    const reply = await mock.request('POST', '/__admin/seed', { ...json(many), key: null });
    assertError(reply, 400, 'invalid-request');
    assert.match(reply.body.message as string, /holds more than 1,000,000 objects and arrays/);
    assert.equal(jsonShapeBeyond('[[],[],"[[[["]', 32, 2), 'containers');
    assert.equal(jsonShapeBeyond('[[],"[[[["]', 32, 2), null);
  });

  test('nesting is counted outside strings only', () => {
    const deeperThan3 = (text: string) => jsonShapeBeyond(text, 3, Infinity) === 'depth';
    assert.equal(deeperThan3('{"a":[[1]]}'), false);
    assert.equal(deeperThan3('{"a":[[[1]]]}'), true);
    assert.equal(deeperThan3(`{"a":"${'['.repeat(100)}"}`), false);
    assert.equal(deeperThan3(`{"a":"\\"${'['.repeat(100)}"}`), false);
  });

  test('a body 32 deep is still read (a valid depth is not refused)', async () => {
    const reply = await mock.request('POST', '/__admin/events', {
      key: null,
      ...json(`{"workspace_id":"owner_123","event":"tag.added","data":{"x":${deep(30)}}}`),
    });
    // The depth passes; the unknown data field is what the route refuses.
    assertError(reply, 400, 'invalid-request');
    assert.match(reply.body.message, /data\.x: is not a field of this body/);
  });

  for (const charset of ['utf-16', 'latin1', 'iso-8859-1']) {
    test(`charset=${charset} is unsupported-media-type`, async () => {
      const reply = await mock.request('POST', `${API}/contacts`, {
        raw: JSON.stringify({ email: 'charset@example.com' }),
        headers: { 'content-type': `application/json; charset=${charset}` },
      });
      assertError(reply, 415, 'unsupported-media-type');
    });
  }

  for (const [path, json] of [
    [`${API}/contacts`, '{"email":"\xff@example.com"}'],
    [
      '/__admin/events',
      '{"workspace_id":"owner_123","event":"contact.created","data":{"name":"\xc3"}}',
    ],
  ]) {
    test(`bytes that are not UTF-8 in a body to ${path} are invalid-request, nothing stored`, async () => {
      const contacts = mock.server.services.store.all('contacts').length;
      const body = Buffer.from(json, 'latin1');
      const head =
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
      const answer = await rawRequest(mock.base, Buffer.concat([Buffer.from(head), body]));
      assertEnvelope(answer, 400);
      assert.deepEqual(answer.body, {
        ok: false,
        error: 'invalid-request',
        message: 'the body is not valid UTF-8',
      });
      assert.equal(mock.server.services.store.all('contacts').length, contacts);
    });
  }

  for (const encoding of ['gzip', 'deflate', 'br']) {
    test(`Content-Encoding: ${encoding} is unsupported-media-type, nothing stored`, async () => {
      const reply = await mock.request('POST', `${API}/contacts`, {
        body: { email: `encoded-${encoding}@example.com` },
        headers: { 'content-encoding': encoding },
      });
      assertError(reply, 415, 'unsupported-media-type');
      const store = mock.server.services.store;
      assert.equal(
        contactByEmail(store, 'owner_123', `encoded-${encoding}@example.com`),
        undefined,
      );
    });
  }
});

describe('idempotency scopes the route and its decoded parameters', () => {
  test('conv_123, conv%5F123 and %63onv_123 are one scope: one message stored', async () => {
    const count = () => mock.server.services.store.all('messages').length;
    const before = count();
    const headers = { 'idempotency-key': 'encoded-paths' };
    const body = { message: 'once only' };
    const first = await mock.request('POST', `${API}/conversations/conv_123/messages`, {
      headers,
      body,
    });
    assert.equal(first.status, 201);
    for (const path of ['conv%5F123', '%63onv_123']) {
      const again = await mock.request('POST', `${API}/conversations/${path}/messages`, {
        headers,
        body,
      });
      assert.equal(again.text, first.text);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
    }
    assert.equal(count(), before + 1);
  });

  test('another payload on /%63ontacts is a conflict', async () => {
    const headers = { 'idempotency-key': 'encoded-static' };
    const first = await mock.request('POST', `${API}/contacts`, {
      headers,
      body: { email: 'scope-a@example.com' },
    });
    assert.equal(first.status, 201);
    assertError(
      await mock.request('POST', `${API}/%63ontacts`, {
        headers,
        body: { email: 'scope-b@example.com' },
      }),
      409,
      'idempotency-key-conflict',
    );
  });
});

describe('the admin guard', () => {
  const admin = (method: string, path: string, headers: Record<string, string>) =>
    mock.request(method, `/__admin${path}`, { key: null, headers });
  const port = () => new URL(mock.base).port;

  test('a foreign Host is admin-origin-forbidden, even for reads (DNS rebinding)', async () => {
    const reply = await rawRequest(
      mock.base,
      `GET /__admin/journal HTTP/1.1\r\nHost: evil.example:${port()}\r\nConnection: close\r\n\r\n`,
    );
    assertEnvelope(reply, 403);
    assert.equal((reply.body as { error: string }).error, 'admin-origin-forbidden');
  });

  test('two Hosts are refused before the guard reads one; an absolute-form target names the host', async () => {
    const health = (head: string) => rawRequest(mock.base, `${head}\r\nConnection: close\r\n\r\n`);
    // Node keeps the first Host: the second went unseen, whichever it was.
    for (const hosts of ['127.0.0.1\r\nHost: evil.example', 'evil.example\r\nHost: 127.0.0.1']) {
      const twice = await health(`GET /__admin/health HTTP/1.1\r\nHost: ${hosts}`);
      assertEnvelope(twice, 400);
      assert.equal((twice.body as { error: string }).error, 'invalid-request');
    }
    // RFC 9112 §3.2.2: the target's host, not the Host header, is the one asked for.
    const foreign = await health(
      `GET http://evil.example:${port()}/__admin/health HTTP/1.1\r\nHost: 127.0.0.1:${port()}`,
    );
    assertEnvelope(foreign, 403);
    assert.equal((foreign.body as { error: string }).error, 'admin-origin-forbidden');
    for (const loopback of ['127.0.0.1', '[::ffff:127.0.0.1]', 'localhost']) {
      const own = await health(
        `GET http://${loopback}:${port()}/__admin/health HTTP/1.1\r\nHost: 127.0.0.1:${port()}`,
      );
      assert.equal(own.status, 200, loopback);
    }
  });

  test('a cross-site reset is refused and wipes nothing', async () => {
    await mock.request('POST', `${API}/contacts`, { body: { email: 'kept@example.com' } });
    const attempts = [
      // The curl: a foreign Origin and a foreign Host.
      `Host: evil.example:${port()}\r\nOrigin: https://evil.example`,
      // A page on another site posting to the mock by its loopback address.
      `Host: 127.0.0.1:${port()}\r\nOrigin: https://evil.example`,
      `Host: 127.0.0.1:${port()}\r\nOrigin: null`,
      `Host: 127.0.0.1:${port()}\r\nSec-Fetch-Site: cross-site`,
    ];
    for (const headers of attempts) {
      const reply = await rawRequest(
        mock.base,
        `POST /__admin/reset HTTP/1.1\r\n${headers}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      assertEnvelope(reply, 403);
      assert.equal((reply.body as { error: string }).error, 'admin-origin-forbidden', headers);
    }
    assert.ok(contactByEmail(mock.server.services.store, 'owner_123', 'kept@example.com'));
  });

  test("the mock's own origin, loopback names and a client without Origin are served", async () => {
    for (const host of [`127.0.0.1:${port()}`, `localhost:${port()}`, `[::1]:${port()}`]) {
      const reply = await admin('GET', '/health', { host });
      assert.equal(reply.status, 200, host);
    }
    const own = await admin('DELETE', '/faults', {
      origin: `http://127.0.0.1:${port()}`,
      'sec-fetch-site': 'same-origin',
    });
    assert.equal(own.status, 200, own.text);
    // A read from another site is not a change (and the browser keeps the answer from it).
    assert.equal((await admin('GET', '/health', { origin: 'https://evil.example' })).status, 200);
  });

  test('with a token: admin-token-missing and admin-token-invalid, their own codes', async () => {
    const guarded = await startMock({ adminToken: 'let-me-in' });
    try {
      const health = (headers: Record<string, string>) =>
        call(guarded.base, 'GET', '/__admin/health', { key: DEMO_KEYS.acme, headers });
      assertError(await health({}), 401, 'admin-token-missing');
      assertError(await health({ 'x-admin-token': 'nope' }), 401, 'admin-token-invalid');
      assert.equal((await health({ 'x-admin-token': 'let-me-in' })).status, 200);
      // On loopback a token does not open other Hosts: a rebinding page could still guess it.
      const port = new URL(guarded.base).port;
      const foreign = await rawRequest(
        guarded.base,
        `GET /__admin/health HTTP/1.1\r\nHost: evil.example:${port}\r\nX-Admin-Token: let-me-in\r\nConnection: close\r\n\r\n`,
      );
      assertEnvelope(foreign, 403);
      assert.equal((foreign.body as { error: string }).error, 'admin-origin-forbidden');
    } finally {
      await guarded.stop();
    }
  });
});

describe('--strict-targets checks the address connected to', () => {
  const FAST = { attempts: 1, backoffMs: 10, timeoutMs: 2000, concurrency: 2 };

  test('a loopback subscription stored before the flag (or seeded) is never delivered', async () => {
    const receiver = await startReceiver();
    const strict = await startMock({ strictTargets: true, delivery: FAST });
    try {
      const subscription = {
        id: 'wh_stored_before',
        workspace_id: 'owner_123',
        event: 'tag.added' as const,
        target_url: receiver.url(),
        active: true,
        created_at: new Date().toISOString(),
        deactivated_at: null,
      };
      await strict.server.services.store.commit([storeRecord('subscriptions', subscription)]);
      const fired = await strict.request('POST', '/__admin/events', {
        key: null,
        body: { workspace_id: 'owner_123', event: 'tag.added', data: {} },
      });
      assert.equal(fired.body.deliveries, 1);
      const delivery = () =>
        strict.server.services.store
          .all('deliveries')
          .find((d) => d.subscription_id === subscription.id);
      await until(() => delivery()?.status === 'failed', 'the delivery is refused');
      assert.equal(delivery()?.last_error, 'EBLOCKED');
      assert.equal(receiver.received.length, 0);
    } finally {
      await strict.stop();
      await receiver.close();
    }
  });
});

describe('the request journal', () => {
  const latest = async () => {
    const reply = await mock.request('GET', '/__admin/journal?limit=1', { key: null });
    return reply.body.items[0] as { path: string; request: { body: string | null } };
  };

  test('a key in the query string is redacted, by its form and by its name', async () => {
    await mock.request('GET', `${API}/me?api_key=${DEMO_KEYS.globex}`);
    assert.equal((await latest()).path, `${API}/me?api_key=[redacted]`);
    await mock.request('GET', `${API}/me?q=${DEMO_KEYS.globex.replace(/_/g, '%5F')}`);
    const { path } = await latest();
    assert.ok(!path.includes('globexglobex'), path);
  });

  test('a flood of large bad requests keeps the newest, within the bytes bound', async () => {
    assert.equal(mock.server.services.requests.maxBytes, JOURNAL_MAX_BYTES);
    assert.equal(JOURNAL_MAX_BYTES, 4 * 1024 * 1024);
    const maxBytes = 2 * 1024 * 1024;
    const small = await startMock({ journalBytes: maxBytes });
    try {
      // Each request: a 30 KB header and a 90 KB body that is not JSON (400, body journaled).
      const header = { 'x-filler': 'h'.repeat(30_000), 'content-type': 'application/json' };
      const requests = 80;
      for (let i = 0; i < requests; i++) {
        const reply = await small.request('POST', `${API}/contacts`, {
          raw: `{"email": "flood-${i}@example.com", ${'b'.repeat(90_000)}`,
          headers: header,
        });
        assertError(reply, 400, 'invalid-request');
      }
      const journal = await small.request('GET', '/__admin/journal?limit=1000', { key: null });
      const items = journal.body.items as { id: number; request: { body: string } }[];
      // Each entry keeps at least the 10 KB it shows of its header and of its body, counted at
      // two bytes a character.
      const most = Math.floor(maxBytes / (2 * 2 * 10 * 1024));
      assert.ok(items.length >= 1 && items.length <= most, `${items.length} entries kept`);
      assert.match(items[0].request.body, /flood-79@/, 'the newest is kept');
      assert.deepEqual(
        items.map((item) => item.id),
        items.map((_, i) => items[0].id - i),
        'the newest ones, in order',
      );
    } finally {
      await small.stop();
    }
  });

  test('many small headers count what they hold, not only their characters', async () => {
    const maxBytes = 1024 * 1024;
    const small = await startMock({ journalBytes: maxBytes });
    try {
      // 900 one-letter headers (with the client's own, within the 1,000 lines a request may
      // have): 5 KB of characters, about 45 KB held.
      const headers = Object.fromEntries(Array.from({ length: 900 }, (_, i) => [`h${i}`, 'x']));
      for (let i = 0; i < 40; i++) await small.request('GET', `${API}/me?i=${i}`, { headers });
      const journal = await small.request('GET', '/__admin/journal?limit=1000', { key: null });
      const kept = (journal.body.items as unknown[]).length;
      assert.ok(kept <= Math.floor(maxBytes / (900 * 40)), `${kept} entries kept`);
    } finally {
      await small.stop();
    }
  });

  test('a long header or body shows its first 10 KB as if all of it had been kept and redacted', async () => {
    // A key that begins just before the cut and ends after it.
    const key = DEMO_KEYS.globex;
    const body = `{"email": "${'e'.repeat(10 * 1024 - 20)} ${key} ${'f'.repeat(50_000)}"}`;
    const header = `${'h'.repeat(10 * 1024 - 5)} ${key} ${'i'.repeat(30_000)}`;
    await mock.request('POST', `${API}/contacts`, {
      raw: body,
      headers: { 'content-type': 'application/json', 'x-long': header },
    });
    const [entry] = (await mock.request('GET', '/__admin/journal?limit=1', { key: null })).body
      .items as { request: { body: string; headers: Record<string, string> } }[];
    const shown = (text: string) => `${redact(text).slice(0, 10 * 1024)}…`;
    assert.equal(entry.request.body, shown(body));
    assert.equal(entry.request.headers['x-long'], shown(header));
    assert.ok(!entry.request.body.includes('globexglobex'));
  });

  test('a key spread past the journal cut by nested escapes never shows its secret', async () => {
    const [, , id, secret] = DEMO_KEYS.globex.split('_');
    const nested = (char: string, depth: number) =>
      `%${'25'.repeat(depth)}${char.charCodeAt(0).toString(16)}`;
    const spread = [
      // Underscores 4 KB each: the cut falls before the secret.
      ['chatting', 'live', id, secret].join(nested('_', 2000)),
      // Each character of the secret 600 characters: the cut falls inside it.
      `chatting_live_${id}_${[...secret].map((char) => nested(char, 300)).join('')}`,
    ];
    for (const key of spread) {
      const body = `{"email": "${'e'.repeat(9 * 1024)} ${key} "}`;
      await mock.request('POST', `${API}/contacts`, json(body));
      const journal = await mock.request('GET', '/__admin/journal?limit=1', { key: null });
      assert.ok(!journal.text.includes(secret), journal.text.slice(9 * 1024, 12 * 1024));
      assert.ok(!journal.text.includes(secret.slice(0, 8)));
    }
  });

  test('a key hidden behind percent-encoding (double too) or \\u005f reaches neither journal nor log', async () => {
    const secret = DEMO_KEYS.globex.split('_').pop() as string;
    // A key whose secret has one letter escaped: no part of the secret after it may show.
    const [start, letter, rest] = [secret.slice(0, 3), secret[3], secret.slice(4)];
    const oneLetter = (escape: string) => DEMO_KEYS.globex.replace(secret, start + escape + rest);
    const code = letter.charCodeAt(0).toString(16).padStart(4, '0');
    const logged = mock.logs.length;
    const hidden = [
      DEMO_KEYS.globex.replace(/_/g, '%5F'),
      DEMO_KEYS.globex.replace(/_/g, '%255F'),
      encodeURIComponent(DEMO_KEYS.globex.replace(/_/g, '%255F')),
      oneLetter(`%25${code.slice(2)}`),
    ];
    for (const form of hidden) {
      await mock.request('GET', `${API}/me?q=${form}`, { headers: { 'x-note': form } });
    }
    for (const form of [
      DEMO_KEYS.globex.replace(/_/g, '\\u005f'),
      oneLetter(`\\u${code}`),
      // Escaped twice: the JSON value is `chatting\u005flive…`.
      DEMO_KEYS.globex.replace(/_/g, '\\\\u005f'),
    ]) {
      const escaped = JSON.stringify({ message: 'x' }).replace('"x"', `"${form}"`);
      await mock.request('POST', `${API}/conversations/conv_123/messages`, json(escaped));
    }
    const journal = await mock.request('GET', '/__admin/journal?limit=7', { key: null });
    assert.equal(journal.body.items.length, 7);
    assert.ok(!journal.text.includes(rest), journal.text);
    const lines = mock.logs.slice(logged).join('\n');
    assert.ok(!lines.includes(rest), lines);
    assert.match(journal.text, /chatting_live_\[redacted\]/);
  });

  test('escapes are undone however deep they nest, in one pass', () => {
    assert.equal(decodeEscapes(`%${'25'.repeat(50_000)}5F`), '_');
    assert.equal(decodeEscapes('a%2Fb\\u0041\\/%zz%C3%A9'), 'a/bA/%zz%C3%A9');
    // An escaped backslash is one backslash, which can begin another escape.
    assert.equal(decodeEscapes('a\\\\u005fb'), 'a_b');
    assert.equal(decodeEscapes(`${'\\'.repeat(100_000)}u005f`), '_');
    for (const text of [
      'nothing to hide: 100%25 sure, \\n',
      '{"target_url":"http://example.com","email":"bob@example.com"}',
    ]) {
      assert.equal(redact(text), text);
    }
    assert.equal(redact('{"u":"http://a:b@c@x.example/p"}'), '{"u":"http://x.example/p"}');
    // Not a key the API takes (the prefix is lower case), but the secret is there all the same.
    assert.equal(
      redact(`?k=${DEMO_KEYS.acme.toUpperCase()}&l=Chatting_Live_a_b`),
      '?k=chatting_live_[redacted]&l=chatting_live_[redacted]',
    );
  });

  test('the user:password of a URL is stripped from every log line and the journal', async () => {
    const receiver = await startReceiver();
    try {
      const target = `${receiver.url().replace('http://', 'http://hook-user:hook-p%40ss@')}?token=hook-tok`;
      const logged = mock.logs.length;
      await mock.request('POST', `${API}/webhooks/subscribe`, {
        body: { event: 'contact.created', target_url: target },
      });
      await mock.request('POST', '/__admin/events', {
        key: null,
        body: { workspace_id: 'owner_123', event: 'contact.created', data: {} },
      });
      await until(() => receiver.received.length > 0, 'the delivery arrives');
      await until(
        () => mock.logs.slice(logged).some((line) => line.startsWith('delivery ')),
        'the delivery is logged',
      );
      const lines = mock.logs.slice(logged).join('\n');
      assert.ok(!lines.includes('hook-p'), lines);
      assert.ok(!lines.includes('hook-user'), lines);
      // A parameter named like a secret, as in a request's URL.
      assert.ok(!lines.includes('hook-tok'), lines);
      const journal = await mock.request('GET', '/__admin/journal?limit=5', { key: null });
      assert.ok(!journal.text.includes('hook-p'), journal.text);
    } finally {
      await mock.request('POST', '/__admin/reset', { key: null });
      await receiver.close();
    }
  });

  test('a URL is redacted the same way for the log lines', () => {
    assert.equal(redactUrl('/me?token=abc&limit=5'), '/me?token=[redacted]&limit=5');
    assert.equal(redactUrl('/me?limit=5'), '/me?limit=5');
    assert.ok(!redactUrl(`/me/${DEMO_KEYS.acme}`).includes('acmeacme'));
    assert.equal(
      redactUrl('/x?pwd=1&passwd=2&credential=3&sig=4&design=5'),
      '/x?pwd=[redacted]&passwd=[redacted]&credential=[redacted]&sig=[redacted]&design=5',
    );
    assert.equal(
      redactUrl('/me?api_sig=S&hmac=S&jwt=S&a=1;token=S&signup=2'),
      '/me?api_sig=[redacted]&hmac=[redacted]&jwt=[redacted]&a=1;token=[redacted]&signup=2',
    );
    // A fragment's parameters (a webhook target's `#access_token=…`) and an authority-first
    // request target (`GET //user:pw@host/…`).
    assert.equal(
      redactUrl('http://h/cb#access_token=abc&x=1'),
      'http://h/cb#access_token=[redacted]&x=1',
    );
    assert.equal(redactUrl('//bob:pw@127.0.0.1/api/zapier/me'), '//127.0.0.1/api/zapier/me');
  });

  test('the userinfo of a URL is found as browsers and Node read URLs, in linear time', () => {
    const cases: [string, string][] = [
      ['{"target_url":"http:bob:hunter2@127.0.0.1:9/x"}', '{"target_url":"http:127.0.0.1:9/x"}'],
      ['{"target_url":"http://bob:pa^ss@127.0.0.1:9/x"}', '{"target_url":"http://127.0.0.1:9/x"}'],
      ['http:\\bob:pw@h/x', 'http:\\h/x'],
      ['HTTPS:/bob:p^w@h/x', 'HTTPS:/h/x'],
      ['ftp://u:é{|}@h', 'ftp://h'],
      ['https://a@b@c/x?y=1', 'https://c/x?y=1'],
      // An `@` past the authority is no userinfo.
      [
        'see http://example.com/a@b and mail x@y.com',
        'see http://example.com/a@b and mail x@y.com',
      ],
      // Nor one past the end of the URL in text: white space, a quote, the next parameter.
      [
        '{"note":"see https://example.com, ping @ann or mail bob@example.com"}',
        '{"note":"see https://example.com, ping @ann or mail bob@example.com"}',
      ],
      [
        'I came from http: nowhere, reach me at ann@ex.org',
        'I came from http: nowhere, reach me at ann@ex.org',
      ],
      [
        '?return=http://app.example&email=bob@example.com',
        '?return=http://app.example&email=bob@example.com',
      ],
      // Other schemes after `://`, with any character WHATWG takes in a password.
      ['{"dsn":"postgres://user:SECRET^PW@db"}', '{"dsn":"postgres://db"}'],
      ['mongodb://u:SECRET{PW@m/x', 'mongodb://m/x'],
    ];
    for (const [text, shown] of cases) assert.equal(redact(text), shown, text);
    // Every scheme a new start, none with a userinfo until the very end: still one pass.
    const many = `${'http:'.repeat(200_000)}@h`;
    assert.equal(redact(many), 'http:h');
  });

  test('a key whose first letter an escape before it took is hidden, whatever else the text holds', () => {
    const secret = DEMO_KEYS.globex.split('_').pop() as string;
    for (const text of [
      `/contacts/%2${DEMO_KEYS.globex}?next=http://u:pw@h`,
      `{"name":"\\u006${DEMO_KEYS.globex} and http://u:pw@h"}`,
    ]) {
      const shown = redact(text);
      assert.ok(!shown.includes(secret), shown);
      assert.ok(!shown.includes('u:pw'), shown);
    }
  });

  test('keys sent as a header name, in Proxy-Authorization, or in a UTF-16 body are hidden', async () => {
    const secret = DEMO_KEYS.globex.split('_').pop() as string;
    const basic = Buffer.from(`x:${DEMO_KEYS.globex}`).toString('base64');
    await mock.request('GET', `${API}/me?case=header-names`, {
      headers: { 'proxy-authorization': `Basic ${basic}`, [DEMO_KEYS.globex]: '1' },
    });
    const utf16 = Buffer.from(`{"email":"a@b.co","name":"${DEMO_KEYS.globex}"}`, 'utf16le');
    await mock.request('POST', `${API}/contacts`, {
      raw: utf16.toString('latin1'),
      headers: { 'content-type': 'application/json' },
    });
    const journal = await mock.request('GET', '/__admin/journal?limit=2', { key: null });
    assert.ok(!journal.text.includes(secret), journal.text);
    assert.ok(!journal.text.includes(basic), journal.text);
    assert.match(journal.text, /"proxy-authorization":"\[redacted\]"/);
  });

  const entriesFor = async (path: string) => {
    const reply = await mock.request('GET', '/__admin/journal?limit=20', { key: null });
    return (
      reply.body.items as { path: string; status: number; response: { body: string } }[]
    ).filter((entry) => entry.path === path);
  };

  test("an answer replaced before it left (verify mode's 500) is one entry: the one sent", async () => {
    const store = mock.server.services.store;
    const get = store.get.bind(store);
    // A workspace /me's response schema refuses: the answer fails verify mode's check.
    store.get = ((collection: 'workspaces', id: string) =>
      collection === 'workspaces' && id === 'owner_123'
        ? { ...get(collection, id), team_name: 12345 }
        : get(collection, id)) as typeof store.get;
    try {
      assertError(await mock.request('GET', `${API}/me?case=replaced`), 500, 'internal-error');
    } finally {
      delete (store as { get?: unknown }).get;
    }
    const entries = await entriesFor(`${API}/me?case=replaced`);
    assert.equal(entries.length, 1, JSON.stringify(entries));
    assert.equal(entries[0].status, 500);
    assert.match(entries[0].response.body, /internal-error/);
  });

  test('a request whose client left during a delay fault goes no further', async () => {
    const path = `${API}/me?case=left`;
    const delayMs = 300;
    const logged = mock.logs.length;
    await mock.request('POST', '/__admin/faults', {
      key: null,
      body: { path: `${API}/me`, delay_ms: delayMs, times: 1 },
    });
    const socket = connect(Number(new URL(mock.base).port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n\r\n`);
    await until(() => mock.server.services.faults.empty, 'the fault rule is taken');
    socket.destroy();
    // The server runs in this process: this timer fires after the fault's delay has ended.
    await new Promise((resolve) => setTimeout(resolve, delayMs + 50));
    assert.deepEqual(await entriesFor(path), []);
    const lines = mock.logs.slice(logged);
    assert.ok(!lines.some((line) => line.includes('internal error')), lines.join('\n'));
  });

  test('the body is logged as it arrived, without the schema defaults', async () => {
    const sent = '{"message":"as sent"}';
    await mock.request('POST', `${API}/conversations/conv_123/messages`, json(sent));
    assert.equal((await latest()).request.body, sent);
  });
});

describe('slow clients get 408 request-timeout', () => {
  let slow: RunningMock;
  beforeAll(async () => {
    slow = await startMock({ timeouts: { headersMs: 200, requestMs: 400 } });
  });
  afterAll(async () => {
    await slow.stop();
  });

  test('headers that never end', async () => {
    const answer = await rawRequest(slow.base, `GET ${API}/me HTTP/1.1\r\nHost: x\r\n`, {
      keepOpen: true,
    });
    assertEnvelope(answer, 408);
    assert.equal((answer.body as { error: string }).error, 'request-timeout');
  });

  test('a body that never ends', async () => {
    const answer = await rawRequest(
      slow.base,
      `POST ${API}/contacts HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"em',
      { keepOpen: true },
    );
    assertEnvelope(answer, 408);
    assert.equal((answer.body as { error: string }).error, 'request-timeout');
  });
});

describe('smaller edges', () => {
  test('a fault rule path relative to the base (/me) fires', async () => {
    const added = await mock.request('POST', '/__admin/faults', {
      key: null,
      body: { path: '/me', error: 'internal-error', times: 1 },
    });
    assert.equal(added.status, 201);
    assert.equal(added.body.items[0].path, `${API}/me`);
    assertError(await mock.request('GET', `${API}/me`), 500, 'internal-error');
  });

  test('a fault rule for the admin API is refused with the reason', async () => {
    const refused = await mock.request('POST', '/__admin/faults', {
      key: null,
      body: { path: '/__admin/health', error: 'internal-error' },
    });
    assertError(refused, 400, 'invalid-request');
    assert.match(refused.body.message, /admin/);
  });

  /** Runs `during` while the store cannot write anything, as with a full disk. */
  function withFullDisk(during: () => Promise<void>): Promise<void> {
    return withWritesRefused(mock.server.services.store, during);
  }

  test('a tag that cannot be saved is contact-save-failed', async () => {
    await withFullDisk(async () => {
      const reply = await mock.request('POST', `${API}/contacts/contact_123/tags`, {
        body: { tag: 'unsaved-tag' },
      });
      assertError(reply, 500, 'contact-save-failed');
    });
    const contact = mock.server.services.store.get('contacts', 'contact_123');
    assert.ok(!contact?.tags.includes('unsaved-tag'));
  });

  test('any other write that cannot be saved is storage-full, API and admin alike', async () => {
    const subscriptions = mock.server.services.store.all('subscriptions').length;
    await withFullDisk(async () => {
      const subscribed = await mock.request('POST', `${API}/webhooks/subscribe`, {
        body: { event: 'tag.added', target_url: 'https://hooks.zapier.com/hooks/catch/1/full' },
      });
      assertError(subscribed, 507, 'storage-full');
      const created = await mock.request('POST', '/__admin/workspaces', {
        key: null,
        body: { team_name: 'Full Disk', owner_email: 'full@example.com', id: 'ws_full' },
      });
      assertError(created, 507, 'storage-full');
    });
    assert.equal(mock.server.services.store.all('subscriptions').length, subscriptions);
    assert.equal(mock.server.services.store.get('workspaces', 'ws_full'), undefined);
  });

  test("a 413 states the limit of the route it was for: the API's 100 KiB, the seed's 64 MiB", async () => {
    const tooLarge = async (path: string, headers: string) => {
      // Refused by the declared length, before a byte of the body is read.
      const [answer] = parseAnswers(
        await rawConnection(
          mock.base,
          `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Type: application/json\r\n` +
            'Content-Length: 70000000\r\nConnection: close\r\n\r\n',
        ),
      );
      assert.equal(answer.status, 413, answer.body);
      return (JSON.parse(answer.body) as { error: string; message: string }).message;
    };
    assert.match(await tooLarge(`${API}/contacts`, `X-API-Key: ${DEMO_KEYS.acme}\r\n`), /100 KiB/);
    assert.match(await tooLarge('/__admin/seed', ''), /64 MiB/);
  });

  for (const [header, first, second] of [
    ['Host', '127.0.0.1', 'evil.example'],
    ['X-API-Key', DEMO_KEYS.acme, DEMO_KEYS.globex],
    ['Idempotency-Key', 'a', 'b'],
    ['Content-Type', 'application/json', 'text/plain'],
  ]) {
    test(`${header} sent twice with different values is invalid-request, never merged`, async () => {
      const contacts = mock.server.services.store.all('contacts').length;
      const body = JSON.stringify({ email: 'twice@example.com' });
      const headers = { [header]: first, [header.toUpperCase()]: second };
      const lines = Object.entries({
        'X-API-Key': DEMO_KEYS.acme,
        'Content-Type': 'application/json',
        ...headers,
      }).map(([name, value]) => `${name}: ${value}\r\n`);
      const [answer] = parseAnswers(
        await rawConnection(
          mock.base,
          `POST ${API}/contacts HTTP/1.1\r\nHost: x\r\n${lines.join('')}` +
            `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        ),
      );
      assert.equal(answer.status, 400, answer.body);
      const envelope = JSON.parse(answer.body) as { error: string; message: string };
      assert.equal(envelope.error, 'invalid-request');
      assert.match(envelope.message, new RegExp(`${header} is sent twice`));
      assert.equal(mock.server.services.store.all('contacts').length, contacts);
    });
  }

  test('the same value twice counts once; Idempotency-Key and X-Idempotency-Key are one header', async () => {
    const twice = (lines: string) =>
      rawConnection(
        mock.base,
        `GET ${API}/me HTTP/1.1\r\nHost: x\r\n${lines}Connection: close\r\n\r\n`,
      ).then((raw) => parseAnswers(raw)[0]);
    const same = await twice(`X-API-Key: ${DEMO_KEYS.acme}\r\nx-api-key: ${DEMO_KEYS.acme}\r\n`);
    assert.equal(same.status, 200, same.body);
    // A media type and a host name are the same in any letter case; a key is not.
    const caseless = await twice(
      `X-API-Key: ${DEMO_KEYS.acme}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        'Content-Type: Application/JSON;Charset="UTF-8"\r\nHost: X\r\n',
    );
    assert.equal(caseless.status, 200, caseless.body);
    const keyCase = await twice(
      `X-API-Key: ${DEMO_KEYS.acme}\r\nX-API-Key: ${DEMO_KEYS.acme.toUpperCase()}\r\n`,
    );
    assert.equal(keyCase.status, 400, keyCase.body);
    const aliases = await twice(
      `X-API-Key: ${DEMO_KEYS.acme}\r\nIdempotency-Key: a\r\nX-Idempotency-Key: b\r\n`,
    );
    assert.equal(aliases.status, 400, aliases.body);
    assert.match(aliases.body, /Idempotency-Key is sent twice/);
  });

  test("the banner's origins: the machine's addresses for 0.0.0.0 and ::, never 0.0.0.0", () => {
    const nic = (address: string, family: 'IPv4' | 'IPv6') => ({ address, family });
    const interfaces = {
      lo: [nic('127.0.0.1', 'IPv4'), nic('::1', 'IPv6')],
      eth0: [nic('192.0.2.7', 'IPv4'), nic('2001:db8::7', 'IPv6'), nic('fe80::1', 'IPv6')],
    };
    assert.deepEqual(reachableOrigins('0.0.0.0', '0.0.0.0', 3000, interfaces), [
      'http://192.0.2.7:3000',
      'http://127.0.0.1:3000',
    ]);
    assert.deepEqual(reachableOrigins('::', '::', 3000, interfaces), [
      'http://192.0.2.7:3000',
      'http://[2001:db8::7]:3000',
      'http://127.0.0.1:3000',
      'http://[::1]:3000',
    ]);
    assert.deepEqual(reachableOrigins('127.0.0.1', '127.0.0.1', 4000, interfaces), [
      'http://127.0.0.1:4000',
    ]);
    assert.deepEqual(reachableOrigins('::1', '::1', 3000, interfaces), ['http://[::1]:3000']);
    assert.deepEqual(reachableOrigins('mock.lan', '192.0.2.7', 3000, interfaces), [
      'http://mock.lan:3000',
    ]);
  });
});
