/**
 * The HTTP contract, endpoint by endpoint: every success shape and status and every error code
 * the target can be made to produce, each answer checked against openapi.yaml and schemas/.
 * Cases that send anything but GET need writes; cases that assert what only CONTRACT.md says
 * are marked, so that against another deployment their failures are drift.
 */
import { payloadSchemaOf, statusOf, type ErrorCode } from '../../schemas/validator';
import { FAULT_ONLY_CODES } from './guards';
import { admin, assertError, assertFollows, assertGuardRefusal, assertSuccess, call } from './http';
import { assert, describe, run, test } from './suite';

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

/** Why CONTRACT.md, not the reference, decides some answers. */
const CONTRACT_ONLY = {
  emptyKey: 'the reference names api-key-missing for a missing header, not an empty one',
  noPrefix: 'the reference defines api-key-invalid for a key whose chatting_live_ prefix exists',
  query: 'the reference shows limit=1 and the event names, not how other values are refused',
  body: 'the reference names missing-email, missing-tag and missing-message, not how a body of the wrong shape is refused',
  http: 'the reference does not say how unknown routes, other methods, other media types or large bodies are refused',
  twice: 'the reference shows one unsubscribe and one create, not what a repeat answers',
  defaults: 'the reference does not give defaults (limit, event, sender)',
} as const;

describe('GET /me', () => {
  const where = 'GET /me';
  test(`${where} × success`, async () => {
    assertSuccess(where, await call('GET', '/me'), 200, 'responses/me');
  });
  test(`${where} × no key → api-key-missing`, async () => {
    assertError(where, await call('GET', '/me', { key: null }), 401, 'api-key-missing');
  });
  test(
    `${where} × empty key → api-key-missing`,
    { beyondReference: CONTRACT_ONLY.emptyKey },
    async () => {
      assertError(where, await call('GET', '/me', { key: '' }), 401, 'api-key-missing');
    },
  );
  test(
    `${where} × malformed key → api-key-invalid`,
    { beyondReference: CONTRACT_ONLY.noPrefix },
    async () => {
      const answer = await call('GET', '/me', { key: 'not-a-chatting-key' });
      assertError(where, answer, 401, 'api-key-invalid');
    },
  );
  test(`${where} × unknown key → api-key-invalid`, async () => {
    const answer = await call('GET', '/me', {
      key: 'chatting_live_nosuchkey_abcdefghijklmnopqrstuvwx',
    });
    assertError(where, answer, 401, 'api-key-invalid');
  });
  test(`${where} × revoked key → api-key-invalid`, { needs: ['revoked key'] }, async () => {
    const answer = await call('GET', '/me', { key: run().target.revokedKey });
    assertError(where, answer, 401, 'api-key-invalid');
  });
});

describe('sample endpoints', () => {
  for (const [path, events] of [
    ['/conversations', ['conversation.created', 'conversation.resolved', 'tag.added']],
    ['/contacts', ['contact.created']],
  ] as const) {
    const where = `GET ${path}`;
    test(
      `${where} × default: at most one item, of ${events[0]}`,
      { beyondReference: CONTRACT_ONLY.defaults },
      async () => {
        const answer = await call('GET', path);
        assertSuccess(where, answer, 200, 'responses/sample-list');
        assert.ok(answer.body.items.length <= 1);
        for (const item of answer.body.items) assert.equal(item.event, events[0]);
      },
    );
    for (const event of events) {
      const query = path === '/conversations' ? `?event=${event}&limit=100` : '?limit=100';
      test(`${where} × ${query}: ${event} payloads, newest first`, async () => {
        const answer = await call('GET', `${path}${query}`);
        assertSuccess(where, answer, 200, 'responses/sample-list');
        const items = answer.body.items as { event: string; timestamp: string }[];
        for (const item of items) {
          assert.equal(item.event, event);
          assertFollows(where, answer, payloadSchemaOf(event), item);
        }
        const times = items.map((item) => item.timestamp);
        assert.deepEqual(times, [...times].sort().reverse(), `${where}: not newest first`);
      });
    }
    test(
      `${where} × an unknown parameter is ignored`,
      { beyondReference: CONTRACT_ONLY.query },
      async () => {
        const answer = await call('GET', `${path}?limit=1&utm_source=contract`);
        assertSuccess(where, answer, 200, 'responses/sample-list');
      },
    );
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=2.5']) {
      test(
        `${where} × ?${query} → invalid-request`,
        { beyondReference: CONTRACT_ONLY.query },
        async () => {
          assertError(where, await call('GET', `${path}?${query}`), 400, 'invalid-request');
        },
      );
    }
    test(`${where} × no key → api-key-missing`, async () => {
      assertError(where, await call('GET', path, { key: null }), 401, 'api-key-missing');
    });
  }
  test(
    'GET /conversations × ?event=contact.created → invalid-request',
    { beyondReference: CONTRACT_ONLY.query },
    async () => {
      const answer = await call('GET', '/conversations?event=contact.created');
      assertError('GET /conversations', answer, 400, 'invalid-request');
    },
  );
});

describe('POST /webhooks/subscribe and DELETE /webhooks/{id}', () => {
  const where = 'POST /webhooks/subscribe';
  for (const event of [
    'conversation.created',
    'conversation.resolved',
    'contact.created',
    'tag.added',
  ]) {
    test(
      `${where} × ${event}, then DELETE twice`,
      { needs: ['writes'], beyondReference: CONTRACT_ONLY.twice },
      async () => {
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
      },
    );
  }
  for (const [name, body] of [
    ['unknown event', { event: 'conversation.deleted', target_url: 'https://example.com/h' }],
    ['missing event', { target_url: 'https://example.com/h' }],
    ['missing target_url', { event: 'tag.added' }],
    ['relative target_url', { event: 'tag.added', target_url: '/h' }],
    ['ftp target_url', { event: 'tag.added', target_url: 'ftp://example.com/h' }],
  ] as const) {
    test(`${where} × ${name} → invalid-subscription`, { needs: ['writes'] }, async () => {
      const answer = await call('POST', '/webhooks/subscribe', { body });
      assertError(where, answer, 400, 'invalid-subscription');
    });
  }
  test('DELETE /webhooks/{id} × unknown id → not-found', { needs: ['writes'] }, async () => {
    const answer = await call('DELETE', `/webhooks/wh_contract_${unique()}`);
    assertError('DELETE /webhooks/{id}', answer, 404, 'not-found');
  });
});

describe('POST /contacts', () => {
  const where = 'POST /contacts';
  test(
    `${where} × created (201), then the same email again (200, same id)`,
    { needs: ['writes'], beyondReference: CONTRACT_ONLY.twice },
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
  for (const [name, body, code, beyond] of [
    ['no email', { name: 'x' }, 'missing-email', undefined],
    ['empty email', { email: '' }, 'missing-email', undefined],
    ['malformed email', { email: 'not-an-email' }, 'invalid-email', CONTRACT_ONLY.body],
    ['email of the wrong type', { email: 7 }, 'invalid-request', CONTRACT_ONLY.body],
    [
      'tags of the wrong type',
      { email: 'a@example.com', tags: 'vip' },
      'invalid-request',
      CONTRACT_ONLY.body,
    ],
    ['a body that is a list', [], 'invalid-request', CONTRACT_ONLY.body],
  ] as const) {
    test(
      `${where} × ${name} → ${code}`,
      { needs: ['writes'], beyondReference: beyond },
      async () => {
        assertError(where, await call('POST', '/contacts', { body }), 400, code);
      },
    );
  }
  test(
    `${where} × malformed JSON → invalid-request`,
    { needs: ['writes'], beyondReference: CONTRACT_ONLY.body },
    async () => {
      const answer = await call('POST', '/contacts', {
        raw: '{"email":',
        headers: { 'content-type': 'application/json' },
      });
      assertError(where, answer, 400, 'invalid-request');
    },
  );
  test(
    `${where} × a form body → unsupported-media-type`,
    { needs: ['writes'], beyondReference: CONTRACT_ONLY.http },
    async () => {
      const answer = await call('POST', '/contacts', {
        raw: 'email=a%40example.com',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assertError(where, answer, 415, 'unsupported-media-type');
    },
  );
  test(
    `${where} × a body over the limit → payload-too-large`,
    { needs: ['writes'], beyondReference: CONTRACT_ONLY.http },
    async () => {
      const answer = await call('POST', '/contacts', {
        body: { email: 'big@example.com', name: 'x'.repeat(200 * 1024) },
      });
      assertError(where, answer, 413, 'payload-too-large');
    },
  );
  test(
    `${where} × a workspace without a site → workspace-site-missing`,
    { needs: ['writes', 'site-less key'] },
    async () => {
      const answer = await call('POST', '/contacts', {
        key: run().target.noSiteKey,
        body: { email: 'a@example.com' },
      });
      assertError(where, answer, 409, 'workspace-site-missing');
    },
  );
});

describe('POST /contacts/{id}/tags', () => {
  const where = 'POST /contacts/{id}/tags';
  test(
    `${where} × success, twice`,
    { needs: ['writes'], beyondReference: CONTRACT_ONLY.twice },
    async (t) => {
      const id = await existing('contact');
      if (!id) return t.skip('the workspace has no contact');
      for (let i = 0; i < 2; i++) {
        const answer = await call('POST', `/contacts/${id}/tags`, { body: { tag: 'contract' } });
        assertSuccess(where, answer, 200, 'responses/tag-added');
        assert.deepEqual([answer.body.id, answer.body.tag], [id, 'contract']);
      }
    },
  );
  test(`${where} × no tag → missing-tag`, { needs: ['writes'] }, async (t) => {
    const id = await existing('contact');
    if (!id) return t.skip('the workspace has no contact');
    const answer = await call('POST', `/contacts/${id}/tags`, { body: {} });
    assertError(where, answer, 400, 'missing-tag');
  });
  test(`${where} × unknown contact → not-found`, { needs: ['writes'] }, async () => {
    const answer = await call('POST', `/contacts/contact_contract_${unique()}/tags`, {
      body: { tag: 'x' },
    });
    assertError(where, answer, 404, 'not-found');
  });
});

describe('POST /conversations/{id}/messages', () => {
  const where = 'POST /conversations/{id}/messages';
  test(
    `${where} × success, sender defaults to system`,
    { needs: ['writes'], beyondReference: CONTRACT_ONLY.defaults },
    async (t) => {
      const id = await existing('conversation');
      if (!id) return t.skip('the workspace has no conversation');
      const answer = await call('POST', `/conversations/${id}/messages`, {
        body: { message: 'Contract check.' },
      });
      assertSuccess(where, answer, 201, 'responses/message-sent');
      assert.deepEqual([answer.body.conversation_id, answer.body.sender], [id, 'system']);
    },
  );
  test(`${where} × no message → missing-message`, { needs: ['writes'] }, async (t) => {
    const id = await existing('conversation');
    if (!id) return t.skip('the workspace has no conversation');
    const answer = await call('POST', `/conversations/${id}/messages`, {
      body: { sender: 'system' },
    });
    assertError(where, answer, 400, 'missing-message');
  });
  test(`${where} × unknown conversation → not-found`, { needs: ['writes'] }, async () => {
    const answer = await call('POST', `/conversations/conv_contract_${unique()}/messages`, {
      body: { message: 'x' },
    });
    assertError(where, answer, 404, 'not-found');
  });
});

describe("the mock's guards: limits the reference does not set", () => {
  /** Why a guard case is information, not drift, against another deployment. */
  const GUARD = "CONTRACT.md records it as the mock's guard, not an API promise";
  const contact = () => ({ email: `contract.guard.${unique()}@example.com` });
  const many = (n: number) => Array.from({ length: n }, (_, i) => `contract${i}`);
  type Target = 'contact' | 'conversation' | null;
  const cases: [string, Target, (id: string) => string, () => object, ErrorCode, string][] = [
    [
      'email over 254',
      null,
      () => '/contacts',
      () => ({ email: `${'x'.repeat(243)}@example.com` }),
      'invalid-request',
      'email: at most 254 characters',
    ],
    [
      'name over 200',
      null,
      () => '/contacts',
      () => ({ ...contact(), name: 'x'.repeat(201) }),
      'invalid-request',
      'name: at most 200 characters',
    ],
    [
      'company over 200',
      null,
      () => '/contacts',
      () => ({ ...contact(), company: 'x'.repeat(201) }),
      'invalid-request',
      'company: at most 200 characters',
    ],
    [
      'phone over 50',
      null,
      () => '/contacts',
      () => ({ ...contact(), phone: '1'.repeat(51) }),
      'invalid-request',
      'phone: at most 50 characters',
    ],
    [
      'status over 50',
      null,
      () => '/contacts',
      () => ({ ...contact(), status: 'x'.repeat(51) }),
      'invalid-request',
      'status: at most 50 characters',
    ],
    [
      'a tag over 100',
      null,
      () => '/contacts',
      () => ({ ...contact(), tags: ['x'.repeat(101)] }),
      'invalid-request',
      'tags.0: at most 100 characters',
    ],
    [
      '101 tags',
      null,
      () => '/contacts',
      () => ({ ...contact(), tags: many(101) }),
      'invalid-request',
      'tags: at most 100 items',
    ],
    [
      '101 custom fields',
      null,
      () => '/contacts',
      () => ({ ...contact(), customFields: Object.fromEntries(many(101).map((k) => [k, 1])) }),
      'invalid-request',
      'customFields: at most 100 fields',
    ],
    [
      'a custom field over 2,000',
      null,
      () => '/contacts',
      () => ({ ...contact(), customFields: { contract: 'x'.repeat(2001) } }),
      'invalid-request',
      'customFields.contract: at most 2000 characters',
    ],
    [
      'a field the reference does not name',
      null,
      () => '/contacts',
      () => ({ ...contact(), nickname: 'x' }),
      'invalid-request',
      'nickname: is not a field of this body',
    ],
    [
      'a tag over 100',
      'contact',
      (id) => `/contacts/${id}/tags`,
      () => ({ tag: 'x'.repeat(101) }),
      'invalid-request',
      'tag: at most 100 characters',
    ],
    [
      'a field the reference does not name',
      'contact',
      (id) => `/contacts/${id}/tags`,
      () => ({ tag: 'contract', color: 'red' }),
      'invalid-request',
      'color: is not a field of this body',
    ],
    [
      'a message over 10,000',
      'conversation',
      (id) => `/conversations/${id}/messages`,
      () => ({ message: 'x'.repeat(10_001) }),
      'invalid-request',
      'message: at most 10000 characters',
    ],
    [
      'a sender over 100',
      'conversation',
      (id) => `/conversations/${id}/messages`,
      () => ({ message: 'Contract check.', sender: 'x'.repeat(101) }),
      'invalid-request',
      'sender: at most 100 characters',
    ],
    [
      'a target_url over 2,048',
      null,
      () => '/webhooks/subscribe',
      () => ({
        event: 'tag.added',
        target_url: `https://hooks.zapier.com/hooks/catch/0/${'x'.repeat(2048)}`,
      }),
      'invalid-request',
      'target_url: at most 2048 characters',
    ],
    [
      'a field the reference does not name',
      null,
      () => '/webhooks/subscribe',
      () => ({
        event: 'tag.added',
        target_url: 'https://hooks.zapier.com/hooks/catch/0/contract',
        secret: 'x',
      }),
      'invalid-request',
      'secret: is not a field of this body',
    ],
  ];
  for (const [what, needsId, pathOf, body, code, message] of cases) {
    const where = `POST ${pathOf(needsId ? `{id}` : '')}`;
    test(
      `${where} × ${what} → ${code} naming the field and the limit`,
      { needs: ['writes'], mockGuard: GUARD },
      async (t) => {
        const id = needsId ? await existing(needsId) : '';
        if (id === null) return t.skip(`the workspace has no ${String(needsId)}`);
        const answer = await call('POST', pathOf(id), { body: body() });
        // A deployment that took it: leave no subscription behind.
        if (
          answer.status === 201 &&
          typeof answer.body?.id === 'string' &&
          /subscribe/.test(where)
        ) {
          await call('DELETE', `/webhooks/${answer.body.id}`);
        }
        assertGuardRefusal(where, answer, code, message);
      },
    );
  }
});

describe('routes and methods', () => {
  test('an unknown route → not-found', { beyondReference: CONTRACT_ONLY.http }, async () => {
    assertError('GET /nothing', await call('GET', '/nothing-here'), 404, 'not-found');
  });
  for (const [method, path] of [
    ['PUT', '/contacts'],
    ['DELETE', '/me'],
    ['GET', '/webhooks/subscribe'],
  ] as const) {
    test(
      `${method} ${path} → method-not-allowed`,
      { needs: method === 'GET' ? [] : ['writes'], beyondReference: CONTRACT_ONLY.http },
      async () => {
        assertError(`${method} ${path}`, await call(method, path), 405, 'method-not-allowed');
      },
    );
  }
});

describe('codes only a fault can produce (admin API)', () => {
  const codes: ErrorCode[] = [
    ...FAULT_ONLY_CODES['POST /contacts'],
    'contact-save-failed',
    'internal-error',
  ];
  for (const code of codes) {
    test(`POST /contacts × injected ${code}`, { needs: ['writes', 'admin'] }, async () => {
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
  test('GET /me × rate-limited, with Retry-After', { needs: ['admin'] }, async () => {
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
