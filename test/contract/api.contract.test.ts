/**
 * The HTTP contract, endpoint by endpoint: every success shape and status and every error code
 * the target can be made to produce, each answer checked against schemas/.
 */
import assert from 'node:assert/strict';
import { ERROR_CODES, payloadSchemaOf, statusOf, validate } from '../../schemas/validator';
import { assertError, assertSuccess, send, type Answer, type Send } from './http';
import { needs, openTarget, targetSpec, type Target } from './target';
import { testUnless } from '../helpers/skip';

const spec = targetSpec();
let target: Target;

beforeAll(async () => {
  target = await openTarget(spec);
});
afterAll(async () => {
  await target.stop();
});

const call = (method: string, path: string, options: Send = {}): Promise<Answer> =>
  send(`${target.api}${path}`, method, { defaultKey: target.key, ...options });
const admin = (method: string, path: string, body?: unknown): Promise<Answer> =>
  send(`${target.admin}${path}`, method, { body });

/** An existing id from the sample endpoints, for cases that need one (read-only friendly). */
async function existing(kind: 'contact' | 'conversation'): Promise<string | null> {
  const answer = await call(
    'GET',
    kind === 'contact' ? '/contacts?limit=1' : '/conversations?limit=1',
  );
  const [item] = (answer.body?.items ?? []) as Record<string, string>[];
  return item ? item[kind === 'contact' ? 'data__contact_id' : 'data__conversation_id'] : null;
}

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

describe('GET /me', () => {
  const where = 'GET /me';
  test(`${where} × success`, async () => {
    assertSuccess(where, await call('GET', '/me'), 200, 'responses/me');
  });
  for (const [name, key] of [
    ['no key', null],
    ['empty key', ''],
  ] as const) {
    test(`${where} × ${name} → api-key-missing`, async () => {
      assertError(where, await call('GET', '/me', { key }), 401, 'api-key-missing');
    });
  }
  for (const [name, key] of [
    ['malformed key', 'not-a-chatting-key'],
    ['unknown key', 'chatting_live_nosuchkey_abcdefghijklmnopqrstuvwx'],
  ] as const) {
    test(`${where} × ${name} → api-key-invalid`, async () => {
      assertError(where, await call('GET', '/me', { key }), 401, 'api-key-invalid');
    });
  }
  testUnless(needs(spec, 'revoked key'))(`${where} × revoked key → api-key-invalid`, async () => {
    assertError(
      where,
      await call('GET', '/me', { key: target.revokedKey }),
      401,
      'api-key-invalid',
    );
  });
});

describe('sample endpoints', () => {
  for (const [path, events] of [
    ['/conversations', ['conversation.created', 'conversation.resolved', 'tag.added']],
    ['/contacts', ['contact.created']],
  ] as const) {
    const where = `GET ${path}`;
    test(`${where} × default: at most one item, of ${events[0]}`, async () => {
      const answer = await call('GET', path);
      assertSuccess(where, answer, 200, 'responses/sample-list');
      assert.ok(answer.body.items.length <= 1);
      for (const item of answer.body.items) assert.equal(item.event, events[0]);
    });
    for (const event of events) {
      const query = path === '/conversations' ? `?event=${event}&limit=100` : '?limit=100';
      test(`${where} × ${query}: ${event} payloads, newest first`, async () => {
        const answer = await call('GET', `${path}${query}`);
        assertSuccess(where, answer, 200, 'responses/sample-list');
        const items = answer.body.items as { event: string; timestamp: string }[];
        for (const item of items) {
          assert.equal(item.event, event);
          const schema = payloadSchemaOf(event);
          assert.ok(validate(schema, item).valid, `${where}: an item is not a ${schema}`);
        }
        const times = items.map((item) => item.timestamp);
        assert.deepEqual(times, [...times].sort().reverse(), `${where}: not newest first`);
      });
    }
    test(`${where} × an unknown parameter is ignored`, async () => {
      assertSuccess(
        where,
        await call('GET', `${path}?limit=1&utm_source=contract`),
        200,
        'responses/sample-list',
      );
    });
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=2.5']) {
      test(`${where} × ?${query} → invalid-request`, async () => {
        assertError(where, await call('GET', `${path}?${query}`), 400, 'invalid-request');
      });
    }
    test(`${where} × no key → api-key-missing`, async () => {
      assertError(where, await call('GET', path, { key: null }), 401, 'api-key-missing');
    });
  }
  test('GET /conversations × ?event=contact.created → invalid-request', async () => {
    assertError(
      'GET /conversations',
      await call('GET', '/conversations?event=contact.created'),
      400,
      'invalid-request',
    );
  });
});

describe('POST /webhooks/subscribe and DELETE /webhooks/{id}', () => {
  const where = 'POST /webhooks/subscribe';
  for (const event of [
    'conversation.created',
    'conversation.resolved',
    'contact.created',
    'tag.added',
  ]) {
    testUnless(needs(spec, 'writes'))(`${where} × ${event}, then DELETE twice`, async () => {
      const created = await call('POST', '/webhooks/subscribe', {
        body: { event, target_url: 'https://hooks.zapier.com/hooks/catch/0/contract' },
      });
      assertSuccess(where, created, 201, 'responses/subscribed');
      assert.equal(created.body.event, event);
      for (let i = 0; i < 2; i++) {
        const removed = await call('DELETE', `/webhooks/${created.body.id}`);
        assertSuccess('DELETE /webhooks/{id}', removed, 200, 'responses/unsubscribed');
        assert.equal(removed.body.id, created.body.id);
      }
    });
  }
  for (const [name, body] of [
    ['unknown event', { event: 'conversation.deleted', target_url: 'https://example.com/h' }],
    ['missing event', { target_url: 'https://example.com/h' }],
    ['missing target_url', { event: 'tag.added' }],
    ['relative target_url', { event: 'tag.added', target_url: '/h' }],
    ['ftp target_url', { event: 'tag.added', target_url: 'ftp://example.com/h' }],
  ] as const) {
    test(`${where} × ${name} → invalid-subscription`, async () => {
      assertError(
        where,
        await call('POST', '/webhooks/subscribe', { body }),
        400,
        'invalid-subscription',
      );
    });
  }
  test('DELETE /webhooks/{id} × unknown id → not-found', async () => {
    assertError(
      'DELETE /webhooks/{id}',
      await call('DELETE', `/webhooks/wh_contract_${unique()}`),
      404,
      'not-found',
    );
  });
});

describe('POST /contacts', () => {
  const where = 'POST /contacts';
  testUnless(needs(spec, 'writes'))(
    `${where} × created (201), then the same email again (200, same id)`,
    async () => {
      const email = `contract.${unique()}@example.com`;
      const created = await call('POST', '/contacts', {
        body: { email, name: 'Contract', tags: ['contract'] },
      });
      assertSuccess(where, created, 201, 'responses/contact-saved');
      const again = await call('POST', '/contacts', {
        body: { email: email.toUpperCase(), company: 'Acme' },
      });
      assertSuccess(where, again, 200, 'responses/contact-saved');
      assert.equal(again.body.id, created.body.id);
      assert.equal(again.body.created_at, created.body.created_at);
      const samples = await call('GET', '/contacts?limit=100');
      assert.ok(
        samples.body.items.some(
          (item: { data__contact_id: string }) => item.data__contact_id === created.body.id,
        ),
        `${where}: no contact.created sample for ${created.body.id}`,
      );
    },
  );
  for (const [name, body, code] of [
    ['no email', { name: 'x' }, 'missing-email'],
    ['empty email', { email: '' }, 'missing-email'],
    ['malformed email', { email: 'not-an-email' }, 'invalid-email'],
    ['email of the wrong type', { email: 7 }, 'invalid-request'],
    ['tags of the wrong type', { email: 'a@example.com', tags: 'vip' }, 'invalid-request'],
    ['a body that is a list', [], 'invalid-request'],
  ] as const) {
    test(`${where} × ${name} → ${code}`, async () => {
      assertError(where, await call('POST', '/contacts', { body }), 400, code);
    });
  }
  test(`${where} × malformed JSON → invalid-request`, async () => {
    assertError(
      where,
      await call('POST', '/contacts', {
        raw: '{"email":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'invalid-request',
    );
  });
  test(`${where} × a form body → unsupported-media-type`, async () => {
    const answer = await call('POST', '/contacts', {
      raw: 'email=a%40example.com',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assertError(where, answer, 415, 'unsupported-media-type');
  });
  test(`${where} × a body over the limit → payload-too-large`, async () => {
    assertError(
      where,
      await call('POST', '/contacts', {
        body: { email: 'big@example.com', name: 'x'.repeat(200 * 1024) },
      }),
      413,
      'payload-too-large',
    );
  });
  testUnless(needs(spec, 'site-less key'))(
    `${where} × a workspace without a site → workspace-site-missing`,
    async () => {
      assertError(
        where,
        await call('POST', '/contacts', {
          key: target.noSiteKey,
          body: { email: 'a@example.com' },
        }),
        409,
        'workspace-site-missing',
      );
    },
  );
});

describe('POST /contacts/{id}/tags', () => {
  const where = 'POST /contacts/{id}/tags';
  testUnless(needs(spec, 'writes'))(`${where} × success, twice`, async () => {
    const id = await existing('contact');
    assert.ok(id, 'the workspace has no contact: the case needs one');
    for (let i = 0; i < 2; i++) {
      const answer = await call('POST', `/contacts/${id}/tags`, { body: { tag: 'contract' } });
      assertSuccess(where, answer, 200, 'responses/tag-added');
      assert.deepEqual([answer.body.id, answer.body.tag], [id, 'contract']);
    }
  });
  test(`${where} × no tag → missing-tag`, async () => {
    const id = await existing('contact');
    assert.ok(id, 'the workspace has no contact: the case needs one');
    assertError(
      where,
      await call('POST', `/contacts/${id}/tags`, { body: {} }),
      400,
      'missing-tag',
    );
  });
  test(`${where} × unknown contact → not-found`, async () => {
    assertError(
      where,
      await call('POST', `/contacts/contact_contract_${unique()}/tags`, { body: { tag: 'x' } }),
      404,
      'not-found',
    );
  });
});

describe('POST /conversations/{id}/messages', () => {
  const where = 'POST /conversations/{id}/messages';
  testUnless(needs(spec, 'writes'))(`${where} × success, sender defaults to system`, async () => {
    const id = await existing('conversation');
    assert.ok(id, 'the workspace has no conversation: the case needs one');
    const answer = await call('POST', `/conversations/${id}/messages`, {
      body: { message: 'Contract check.' },
    });
    assertSuccess(where, answer, 201, 'responses/message-sent');
    assert.deepEqual([answer.body.conversation_id, answer.body.sender], [id, 'system']);
  });
  test(`${where} × no message → missing-message`, async () => {
    const id = await existing('conversation');
    assert.ok(id, 'the workspace has no conversation: the case needs one');
    assertError(
      where,
      await call('POST', `/conversations/${id}/messages`, { body: { sender: 'system' } }),
      400,
      'missing-message',
    );
  });
  test(`${where} × unknown conversation → not-found`, async () => {
    assertError(
      where,
      await call('POST', `/conversations/conv_contract_${unique()}/messages`, {
        body: { message: 'x' },
      }),
      404,
      'not-found',
    );
  });
});

describe('routes and methods', () => {
  test('an unknown route → not-found', async () => {
    assertError('GET /nothing', await call('GET', '/nothing-here'), 404, 'not-found');
  });
  for (const [method, path] of [
    ['PUT', '/contacts'],
    ['DELETE', '/me'],
    ['GET', '/webhooks/subscribe'],
  ] as const) {
    test(`${method} ${path} → method-not-allowed`, async () => {
      assertError(`${method} ${path}`, await call(method, path), 405, 'method-not-allowed');
    });
  }
});

describe('codes only a fault can produce (admin API)', () => {
  for (const code of ERROR_CODES.filter((c) =>
    [
      'contact-not-found',
      'contact-save-failed',
      'internal-error',
      'contact-site-forbidden',
    ].includes(c),
  )) {
    testUnless(needs(spec, 'admin'))(`POST /contacts × injected ${code}`, async () => {
      const rule = await admin('POST', '/faults', {
        method: 'POST',
        path: '/api/zapier/contacts',
        error: code,
        times: 1,
      });
      assert.equal(rule.status, 201, rule.text);
      const answer = await call('POST', '/contacts', { body: { email: 'fault@example.com' } });
      assertError('POST /contacts', answer, statusOf(code), code);
    });
  }
  testUnless(needs(spec, 'admin'))('GET /me × rate-limited, with Retry-After', async () => {
    await admin('POST', '/faults', {
      path: '/api/zapier/me',
      error: 'rate-limited',
      retry_after: 3,
      times: 1,
    });
    const answer = await call('GET', '/me');
    assertError('GET /me', answer, 429, 'rate-limited');
    assert.equal(answer.headers.get('retry-after'), '3');
  });
});
