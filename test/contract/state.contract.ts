/**
 * The stateful contracts: idempotency (replay, conflict, a concurrent burst) and isolation (a
 * second workspace's key never sees or changes the first one's records). They create records.
 */
import { assertError, assertSuccess, call, type Send } from './http';
import { assert, describe, run, test, type CaseOptions } from './suite';

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

const IDEMPOTENCY: CaseOptions = {
  needs: ['writes'],
  beyondReference: 'the reference names idempotency-key-conflict, not how a replay answers',
};
const ISOLATION: CaseOptions = {
  needs: ['writes', 'second key'],
  beyondReference: "the reference does not say what another workspace's key gets",
};

describe('idempotency', () => {
  for (const header of ['Idempotency-Key', 'X-Idempotency-Key']) {
    test(
      `POST /contacts × ${header}: same payload → the first answer, byte for byte`,
      IDEMPOTENCY,
      async () => {
        const key = `contract-${unique()}`;
        const email = `idem.${unique()}@example.com`;
        const first = await call('POST', '/contacts', {
          headers: { [header]: key },
          body: { email, name: 'Idem' },
        });
        assertSuccess('POST /contacts', first, 201, 'responses/contact-saved');
        const second = await call('POST', '/contacts', {
          headers: { [header]: key },
          body: { name: 'Idem', email },
        });
        assert.equal(second.status, first.status);
        assert.equal(second.text, first.text);
        assert.equal(first.headers.get('idempotent-replayed'), null);
        assert.equal(second.headers.get('idempotent-replayed'), 'true');
      },
    );
  }

  test(
    'POST /contacts × same key, different payload → idempotency-key-conflict',
    { needs: ['writes'] },
    async () => {
      const key = `contract-${unique()}`;
      await call('POST', '/contacts', {
        headers: { 'Idempotency-Key': key },
        body: { email: `a.${unique()}@example.com` },
      });
      const conflict = await call('POST', '/contacts', {
        headers: { 'Idempotency-Key': key },
        body: { email: `b.${unique()}@example.com` },
      });
      assertError('POST /contacts', conflict, 409, 'idempotency-key-conflict');
    },
  );

  test(
    'POST /webhooks/subscribe × 50 concurrent requests with one key → one subscription, 50 equal answers',
    IDEMPOTENCY,
    async () => {
      const key = `contract-${unique()}`;
      const body = {
        event: 'tag.added',
        target_url: `https://hooks.zapier.com/hooks/catch/0/${unique()}`,
      };
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          call('POST', '/webhooks/subscribe', { headers: { 'Idempotency-Key': key }, body }),
        ),
      );
      for (const answer of answers)
        assertSuccess('POST /webhooks/subscribe', answer, 201, 'responses/subscribed');
      assert.equal(new Set(answers.map((a) => a.text)).size, 1, 'all 50 answers are the same');
      assert.equal(
        answers.filter((a) => a.headers.get('idempotent-replayed') === null).length,
        1,
        'exactly one executed',
      );
      await call('DELETE', `/webhooks/${answers[0].body.id}`);
    },
  );
});

describe('isolation', () => {
  const other = (): Send => ({ key: run().target.secondKey });

  test(
    "a second workspace's samples never show the first one's new contact",
    ISOLATION,
    async () => {
      const created = await call('POST', '/contacts', {
        body: { email: `iso.${unique()}@example.com` },
      });
      assertSuccess('POST /contacts', created, 201, 'responses/contact-saved');
      const theirs = await call('GET', '/contacts?limit=100', other());
      assertSuccess('GET /contacts', theirs, 200, 'responses/sample-list');
      assert.ok(!theirs.text.includes(created.body.id as string));
      assert.ok(!theirs.text.includes(created.body.email as string));
    },
  );

  test(
    "a second workspace cannot tag the first one's contact, and learns nothing of it",
    ISOLATION,
    async () => {
      const email = `iso.${unique()}@example.com`;
      const created = await call('POST', '/contacts', { body: { email, name: 'Private Person' } });
      const answer = await call('POST', `/contacts/${created.body.id}/tags`, {
        ...other(),
        body: { tag: 'x' },
      });
      assert.ok([403, 404].includes(answer.status), `expected 403/404, got ${answer.status}`);
      assertError(
        'POST /contacts/{id}/tags',
        answer,
        answer.status,
        answer.status === 403 ? 'contact-site-forbidden' : 'not-found',
      );
      assert.ok(!answer.text.includes(email) && !answer.text.includes('Private Person'));
    },
  );

  test("a second workspace cannot message the first one's conversation", ISOLATION, async (t) => {
    const mine = await call('GET', '/conversations?limit=1');
    const id = mine.body?.items?.[0]?.data__conversation_id as string | undefined;
    if (!id) return t.skip('the first workspace has no conversation');
    assertError(
      'POST /conversations/{id}/messages',
      await call('POST', `/conversations/${id}/messages`, { ...other(), body: { message: 'x' } }),
      404,
      'not-found',
    );
  });

  test("a second workspace cannot unsubscribe the first one's webhook", ISOLATION, async () => {
    const created = await call('POST', '/webhooks/subscribe', {
      body: { event: 'tag.added', target_url: 'https://hooks.zapier.com/hooks/catch/0/iso' },
    });
    assertError(
      'DELETE /webhooks/{id}',
      await call('DELETE', `/webhooks/${created.body.id}`, other()),
      404,
      'not-found',
    );
    assertSuccess(
      'DELETE /webhooks/{id}',
      await call('DELETE', `/webhooks/${created.body.id}`),
      200,
      'responses/unsubscribed',
    );
  });
});
