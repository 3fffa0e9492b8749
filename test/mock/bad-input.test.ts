import assert from 'node:assert/strict';
import { validate } from '../../schemas/validator';
import { assertError, DEMO_KEYS, useMock } from '../helpers/mock';
import { rawRequest as sendRaw } from '../helpers/raw-http';

const API = '/api/zapier';
const mock = useMock();
afterEach(async () => {
  // Whatever came before, the server still serves.
  const reply = await mock.request('GET', `${API}/me`);
  assert.equal(reply.status, 200);
});

/** Sends raw bytes and returns the raw HTTP answer. */
const rawRequest = (bytes: string | Buffer) => sendRaw(mock.base, bytes);

describe('bad bodies', () => {
  test('malformed JSON is invalid-request', async () => {
    assertError(
      await mock.request('POST', `${API}/contacts`, {
        raw: '{"email": ',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'invalid-request',
    );
  });

  test('an empty JSON body is invalid-request', async () => {
    assertError(
      await mock.request('POST', `${API}/contacts`, {
        raw: '',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'invalid-request',
    );
  });

  test('no body at all is invalid-request', async () => {
    assertError(await mock.request('POST', `${API}/contacts`), 400, 'invalid-request');
  });

  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
  ]) {
    test(`a ${type} body is unsupported-media-type`, async () => {
      const reply = await mock.request('POST', `${API}/contacts`, {
        raw: 'email=a@example.com',
        headers: { 'content-type': type },
      });
      assertError(reply, 415, 'unsupported-media-type');
    });
  }

  test('JSON with a charset is fine', async () => {
    const reply = await mock.request('POST', `${API}/contacts`, {
      raw: JSON.stringify({ email: 'charset@example.com' }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    assert.equal(reply.status, 201);
  });

  test('a body over 100 KiB is payload-too-large', async () => {
    const reply = await mock.request('POST', `${API}/contacts`, {
      body: { email: 'big@example.com', name: 'x'.repeat(110 * 1024) },
    });
    assertError(reply, 413, 'payload-too-large');
  });

  test('an oversized field under the body limit is invalid-request', async () => {
    const reply = await mock.request('POST', `${API}/contacts`, {
      body: { email: 'long@example.com', name: 'x'.repeat(5000) },
    });
    assertError(reply, 400, 'invalid-request');
  });

  for (const raw of [
    '{"email":"p@example.com","__proto__":{"admin":true}}',
    '{"email":"p@example.com","customFields":{"__proto__":null}}',
    '{"email":"p@example.com","customFields":{"\\u005f_proto__":null}}',
    '{"email":"p@example.com","customFields":{"constructor":{"prototype":1}}}',
  ]) {
    test(`prototype poisoning is refused, naming the key: ${raw}`, async () => {
      const reply = await mock.request('POST', `${API}/contacts`, {
        raw,
        headers: { 'content-type': 'application/json' },
      });
      assertError(reply, 400, 'invalid-request');
      assert.match(reply.body.message, /"__proto__" or "constructor"/);
    });
  }

  test('broken JSON is still named as such', async () => {
    const reply = await mock.request('POST', `${API}/contacts`, {
      raw: '{"email":',
      headers: { 'content-type': 'application/json' },
    });
    assertError(reply, 400, 'invalid-request');
    assert.equal(reply.body.message, 'the body is not valid JSON');
  });
});

describe('bad routes', () => {
  test('an unknown route is not-found, with or without a key', async () => {
    assertError(await mock.request('GET', `${API}/nothing-here`), 404, 'not-found');
    assertError(await mock.request('GET', '/nothing', { key: null }), 404, 'not-found');
    assertError(await mock.request('GET', '/nothing/at/all', { key: null }), 404, 'not-found');
  });

  for (const [method, path, allow] of [
    ['PUT', '/contacts', 'GET, POST'],
    ['DELETE', '/me', 'GET'],
    ['GET', '/webhooks/subscribe', 'POST'],
    ['POST', '/webhooks/wh_1', 'DELETE'],
    ['PATCH', '/contacts/contact_123/tags', 'POST'],
    ['GET', '/conversations/conv_123/messages', 'POST'],
  ] as const) {
    test(`${method} ${path} is method-not-allowed`, async () => {
      const reply = await mock.request(method, `${API}${path}`);
      assertError(reply, 405, 'method-not-allowed');
      assert.deepEqual(reply.headers.get('allow')?.split(', ').sort(), allow.split(', ').sort());
      assert.equal(reply.body.message, `${method} is not served here, only ${allow}`);
    });
  }

  test('HEAD is not served (openapi.yaml declares none): 405, and Allow lists what is', async () => {
    for (const path of [
      `${API}/me`,
      `${API}/contacts`,
      '/__admin/health',
      '/__admin/db/contacts',
    ]) {
      const reply = await mock.request('HEAD', path);
      assert.equal(reply.status, 405, path);
      assert.equal(reply.headers.get('allow')?.includes('HEAD'), false, path);
    }
  });
});

describe('bad headers and bad HTTP', () => {
  test('a 10 KB header is fine', async () => {
    const reply = await mock.request('GET', `${API}/me`, {
      headers: { 'x-padding': 'a'.repeat(10 * 1024) },
    });
    assert.equal(reply.status, 200);
  });

  test('a 10 KB API key is api-key-invalid', async () => {
    assertError(
      await mock.request('GET', `${API}/me`, { key: 'k'.repeat(10 * 1024) }),
      401,
      'api-key-invalid',
    );
  });

  test('headers over the limit get the envelope', async () => {
    const reply = await rawRequest(
      `GET ${API}/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(80 * 1024)}\r\n\r\n`,
    );
    assert.equal(reply.status, 400);
    assert.ok(validate('error', reply.body).valid, reply.raw);
  });

  test('a non-ASCII API key is api-key-invalid', async () => {
    const reply = await rawRequest(
      Buffer.from(
        `GET ${API}/me HTTP/1.1\r\nHost: x\r\nX-API-Key: chatting_live_dämo_ç\r\nConnection: close\r\n\r\n`,
        'latin1',
      ),
    );
    assert.equal(reply.status, 401);
    assert.deepEqual((reply.body as { error: string }).error, 'api-key-invalid');
  });

  test('a non-ASCII idempotency key is invalid-request', async () => {
    const body = JSON.stringify({ email: 'nonascii@example.com' });
    const reply = await rawRequest(
      Buffer.from(
        `POST ${API}/contacts HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\nIdempotency-Key: clé\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        'latin1',
      ),
    );
    assert.equal(reply.status, 400);
    assert.equal((reply.body as { error: string }).error, 'invalid-request');
  });

  test('garbage instead of HTTP gets the envelope', async () => {
    const reply = await rawRequest('\x00\x01 not http at all\r\n\r\n');
    assert.equal(reply.status, 400);
    assert.ok(validate('error', reply.body).valid, reply.raw);
  });

  test('a bad Content-Length gets the envelope', async () => {
    const reply = await rawRequest(
      `POST ${API}/contacts HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`,
    );
    assert.equal(reply.status, 400);
    assert.ok(validate('error', reply.body).valid, reply.raw);
  });
});

describe('logs', () => {
  test('one line per request with method, path, status, ms and workspace; never a key', async () => {
    mock.logs.length = 0;
    await mock.request('GET', `${API}/me`);
    await mock.request('GET', `${API}/me?api_key=${DEMO_KEYS.globex}`, { key: DEMO_KEYS.globex });
    await mock.request('GET', `${API}/me`, { key: DEMO_KEYS.revoked });
    assert.match(mock.logs[0], /^GET \/api\/zapier\/me 200 \d+\.\dms owner_123$/);
    assert.match(mock.logs[2], /^GET \/api\/zapier\/me 401 \d+\.\dms -$/);
    const all = mock.logs.join('\n');
    for (const key of Object.values(DEMO_KEYS)) assert.ok(!all.includes(key), all);
    const secrets = Object.values(DEMO_KEYS).map((key) => key.split('_').pop() as string);
    for (const secret of secrets) assert.ok(!all.includes(secret), all);
  });
});
