import assert from 'node:assert/strict';
import { appTester, authData, expectRequest, useNock } from '../helpers/nock-api';
import { without } from '../../src/answers';
import { createPerform, zapierError } from '../helpers/app';
import { referenceExample } from '../helpers/fixtures';

useNock();

const perform = createPerform;

/** Expects one Send Message request to the conversation, answered as the reference shows. */
function expectMessageSent(conversationId: string) {
  return expectRequest('POST', `/conversations/${conversationId}/messages`, {
    schema: 'requests/send-message',
    status: 201,
    reply: referenceExample('responses/message-sent/system'),
    replySchema: 'responses/message-sent',
  });
}

describe('create_contact', () => {
  test('sends every field of the reference', async () => {
    const seen = expectRequest('POST', '/contacts', {
      schema: 'requests/create-contact',
      status: 201,
      reply: referenceExample('responses/contact-saved/created'),
      replySchema: 'responses/contact-saved',
    });
    const result = await appTester(perform('create_contact'), {
      authData,
      inputData: {
        email: 'lead@example.com',
        name: 'Ava Brooks',
        phone: '+1 555 111 2222',
        company: 'Acme',
        status: 'lead',
        tags: ['vip', 'demo'],
        customFields: { crm_owner: 'tina' },
      },
    });
    assert.deepEqual(seen[0].body, referenceExample('requests/create-contact/all-fields'));
    assert.equal((result as { id: string }).id, 'contact_123');
    assert.equal(seen[0].headers['idempotency-key'], undefined, 'no key unless one is mapped');
  });

  test('leaves empty fields out instead of sending blanks', async () => {
    const seen = expectRequest('POST', '/contacts', {
      schema: 'requests/create-contact',
      reply: referenceExample('responses/contact-saved/created'),
      replySchema: 'responses/contact-saved',
    });
    await appTester(perform('create_contact'), {
      authData,
      inputData: {
        email: ' lead@example.com ',
        name: '',
        phone: '   ',
        tags: ['', 'vip', 'vip'],
        customFields: { '': 'no name', crm_owner: '', plan: ' pro ' },
      },
    });
    assert.deepEqual(seen[0].body, {
      email: 'lead@example.com',
      tags: ['vip'],
      customFields: { plan: 'pro' },
    });
  });

  test('returns the saved contact without the request-status field ok, as created (201)', async () => {
    expectRequest('POST', '/contacts', {
      schema: 'requests/create-contact',
      status: 201,
      reply: referenceExample('responses/contact-saved/created'),
      replySchema: 'responses/contact-saved',
    });
    const result = await appTester(perform('create_contact'), {
      authData,
      inputData: { email: 'lead@example.com' },
    });
    const answer = referenceExample('responses/contact-saved/created') as { ok: true };
    assert.deepEqual(result, { ...without(answer, 'ok'), result: 'created' });
  });

  test('an email the workspace already has: the same contact, said to be updated (200)', async () => {
    expectRequest('POST', '/contacts', {
      schema: 'requests/create-contact',
      status: 200,
      reply: referenceExample('responses/contact-saved/created'),
      replySchema: 'responses/contact-saved',
    });
    const result = (await appTester(perform('create_contact'), {
      authData,
      inputData: { email: 'lead@example.com' },
    })) as { result: string };
    assert.equal(result.result, 'updated');
  });

  for (const [tags, sent] of [
    ['vip', ['vip']],
    ['vip, demo', ['vip', 'demo']],
    [' vip ,, demo ,', ['vip', 'demo']],
    [
      ['vip, demo', 'lead'],
      ['vip', 'demo', 'lead'],
    ],
    [
      ['VIP', 'vip'],
      ['VIP', 'vip'],
    ],
  ] as const) {
    test(`tags mapped as ${JSON.stringify(tags)} send ${JSON.stringify(sent)}`, async () => {
      const seen = expectRequest('POST', '/contacts', {
        schema: 'requests/create-contact',
        status: 201,
        reply: referenceExample('responses/contact-saved/created'),
        replySchema: 'responses/contact-saved',
      });
      await appTester(perform('create_contact'), {
        authData,
        inputData: { email: 'lead@example.com', tags },
      });
      assert.deepEqual((seen[0].body as { tags: string[] }).tags, sent);
    });
  }

  test('an answer without the saved record is an error naming the call', async () => {
    expectRequest('POST', '/contacts', { status: 201, reply: { ok: true } });
    const { text } = await zapierError(
      appTester(perform('create_contact'), { authData, inputData: { email: 'a@example.com' } }),
    );
    assert.match(text, /POST \/contacts with something other than the saved record/);
  });
});

describe('the Deduplication Key', () => {
  /** The Idempotency-Key an Add Tag step sends for this input. */
  async function tagKey(inputData: Record<string, unknown>): Promise<string> {
    const seen = expectRequest('POST', /\/api\/zapier\/contacts\/[^/]+\/tags$/, {
      schema: 'requests/add-tag',
      reply: referenceExample('responses/tag-added/vip'),
      replySchema: 'responses/tag-added',
    });
    await appTester(perform('add_tag_to_contact'), { authData, inputData });
    return seen[0].headers['idempotency-key'];
  }
  const step = { contact_id: 'contact_123', tag: 'vip', deduplication_key: 'evt_1' };

  test('a replayed step sends the same key', async () => {
    assert.equal(await tagKey(step), await tagKey({ ...step }));
  });

  test('two steps mapping the same value never share a key', async () => {
    const keys = [
      await tagKey(step),
      await tagKey({ ...step, tag: 'lead' }),
      await tagKey({ ...step, contact_id: 'contact_124' }),
      await tagKey({ ...step, deduplication_key: 'evt_2' }),
    ];
    assert.equal(new Set(keys).size, keys.length, keys.join('\n'));
  });

  test('another action with the same value and the same fields sends another key', async () => {
    const tag = await tagKey(step);
    const seen = expectMessageSent('contact_123');
    await appTester(perform('send_message'), {
      authData,
      inputData: { conversation_id: 'contact_123', message: 'vip', deduplication_key: 'evt_1' },
    });
    assert.notEqual(seen[0].headers['idempotency-key'], tag);
  });

  test('any value, however long or non-ASCII, gives a key the header can carry', async () => {
    const key = await tagKey({ ...step, deduplication_key: `clé-${'x'.repeat(300)}` });
    assert.match(key, /^add_tag_to_contact-[0-9a-f]{64}$/);
  });

  test('without a value no key is sent', async () => {
    assert.equal(await tagKey({ ...step, deduplication_key: ' ' }), undefined);
  });
});

describe('add_tag_to_contact', () => {
  test('posts the tag to the contact', async () => {
    const seen = expectRequest('POST', '/contacts/contact_123/tags', {
      schema: 'requests/add-tag',
      reply: referenceExample('responses/tag-added/vip'),
      replySchema: 'responses/tag-added',
    });
    const result = await appTester(perform('add_tag_to_contact'), {
      authData,
      inputData: { contact_id: 'contact_123', tag: 'vip' },
    });
    assert.deepEqual(seen[0].body, { tag: 'vip' });
    assert.deepEqual(result, { id: 'contact_123', tag: 'vip' });
  });

  test('an id with reserved characters stays one path segment', async () => {
    const seen = expectRequest('POST', '/contacts/a%2Fb%3Fc/tags', {
      schema: 'requests/add-tag',
      reply: { ok: true, id: 'a/b?c', tag: 'x' },
      replySchema: 'responses/tag-added',
    });
    await appTester(perform('add_tag_to_contact'), {
      authData,
      inputData: { contact_id: 'a/b?c', tag: 'x' },
    });
    assert.equal(seen.length, 1);
  });
});

describe('send_message', () => {
  test('posts the message and the sender', async () => {
    const seen = expectMessageSent('conv_123');
    await appTester(perform('send_message'), {
      authData,
      inputData: {
        conversation_id: 'conv_123',
        message: 'Thanks, we got your message.',
        sender: 'system',
      },
    });
    assert.deepEqual(seen[0].body, referenceExample('requests/send-message/system'));
  });

  test('without a sender, none is sent (Chatting uses system)', async () => {
    const seen = expectMessageSent('conv_123');
    await appTester(perform('send_message'), {
      authData,
      inputData: { conversation_id: 'conv_123', message: 'Hi' },
    });
    assert.deepEqual(seen[0].body, { message: 'Hi' });
  });

  test('the message is sent as written: indentation and line breaks are part of it', async () => {
    const message = '    npm install\n    npm start\n\n';
    const seen = expectMessageSent('conv_123');
    await appTester(perform('send_message'), {
      authData,
      inputData: { conversation_id: ' conv_123 ', message },
    });
    assert.deepEqual(seen[0].body, { message });
  });
});
