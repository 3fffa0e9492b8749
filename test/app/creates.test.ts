import assert from 'node:assert/strict';
import { appTester, authData, expectRequest, useNock } from '../helpers/nock-api';
import { createPerform } from '../helpers/app';
import { referenceExample } from '../helpers/fixtures';

useNock();

const perform = createPerform;

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

  test('sends the Deduplication Key as Idempotency-Key', async () => {
    const seen = expectRequest('POST', '/contacts', {
      schema: 'requests/create-contact',
      reply: referenceExample('responses/contact-saved/created'),
      replySchema: 'responses/contact-saved',
    });
    await appTester(perform('create_contact'), {
      authData,
      inputData: {
        email: 'lead@example.com',
        deduplication_key: 'conversation.created:conv_abc123:2026-04-08T00:50:00.000Z',
      },
    });
    assert.equal(
      seen[0].headers['idempotency-key'],
      'conversation.created:conv_abc123:2026-04-08T00:50:00.000Z',
    );
  });

  test('a key the header cannot carry (long, non-ASCII) is sent as its digest', async () => {
    const seen = expectRequest('POST', '/contacts', {
      schema: 'requests/create-contact',
      reply: referenceExample('responses/contact-saved/created'),
      replySchema: 'responses/contact-saved',
    });
    await appTester(perform('create_contact'), {
      authData,
      inputData: { email: 'lead@example.com', deduplication_key: `clé-${'x'.repeat(300)}` },
    });
    assert.match(seen[0].headers['idempotency-key'], /^sha256:[0-9a-f]{64}$/);
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
      inputData: { contact_id: 'contact_123', tag: 'vip', deduplication_key: 'k1' },
    });
    assert.deepEqual(seen[0].body, { tag: 'vip' });
    assert.equal(seen[0].headers['idempotency-key'], 'k1');
    assert.deepEqual(result, referenceExample('responses/tag-added/vip'));
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
    const seen = expectRequest('POST', '/conversations/conv_123/messages', {
      schema: 'requests/send-message',
      status: 201,
      reply: referenceExample('responses/message-sent/system'),
      replySchema: 'responses/message-sent',
    });
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
    const seen = expectRequest('POST', '/conversations/conv_123/messages', {
      schema: 'requests/send-message',
      status: 201,
      reply: referenceExample('responses/message-sent/system'),
      replySchema: 'responses/message-sent',
    });
    await appTester(perform('send_message'), {
      authData,
      inputData: { conversation_id: 'conv_123', message: 'Hi' },
    });
    assert.deepEqual(seen[0].body, { message: 'Hi' });
  });
});
