import assert from 'node:assert/strict';
import { contract, payloadSchemaOf, validate } from '../../schemas/validator';
import { splitName } from '../../src/events';
import { splitResult } from '../contract/guards';
import { App, appTester, authData, expectRequest, useNock } from '../helpers/nock-api';
import { triggerOperation, userMessage } from '../helpers/app';
import { referenceExample } from '../helpers/fixtures';

useNock();

/**
 * The reference's sample calls asking for the three events the Zap editor offers (`samples`),
 * and exactly as the reference writes them (`documented`), where the app falls back to.
 * `names` are the first and last name the app derives from the reference example.
 */
const TRIGGERS = [
  {
    key: 'conversation_created',
    event: 'conversation.created',
    samples: '/conversations?limit=3',
    documented: '/conversations?limit=1',
    names: { visitor_first_name: 'Ava', visitor_last_name: 'Brooks' },
  },
  {
    key: 'conversation_resolved',
    event: 'conversation.resolved',
    samples: '/conversations?limit=3&event=conversation.resolved',
    documented: '/conversations?limit=1&event=conversation.resolved',
    names: {},
  },
  {
    key: 'contact_created',
    event: 'contact.created',
    samples: '/contacts?limit=3',
    documented: '/contacts?limit=1',
    names: { first_name: 'Ava', last_name: 'Brooks' },
  },
  {
    key: 'tag_added',
    event: 'tag.added',
    samples: '/conversations?limit=3&event=tag.added',
    documented: '/conversations?limit=1&event=tag.added',
    names: {},
  },
] as const;

/** What Zapier hands perform: the delivered JSON plus its own `querystring` key. */
function asZapierDelivers(payload: Record<string, unknown>): Record<string, unknown> {
  return { ...payload, querystring: {} };
}

for (const { key, event, samples, documented, names } of TRIGGERS) {
  const schema = payloadSchemaOf(event);
  const payload = referenceExample(`${schema}/reference`) as Record<string, unknown>;

  describe(`trigger ${key}`, () => {
    test("subscribes Zapier's target URL to its event and keeps the subscription id", async () => {
      const seen = expectRequest('POST', '/webhooks/subscribe', {
        schema: 'requests/subscribe',
        status: 201,
        reply: { ok: true, id: 'wh_123', event, active: true },
        replySchema: 'responses/subscribed',
      });
      const targetUrl = 'https://hooks.zapier.com/hooks/standard/1/abc';
      const result = await appTester(triggerOperation(key, 'performSubscribe'), {
        authData,
        targetUrl,
      });
      assert.deepEqual(seen[0].body, { event, target_url: targetUrl });
      assert.equal((result as { id: string }).id, 'wh_123');
    });

    test('unsubscribes by that id; a subscription already gone counts as done', async () => {
      const seen = expectRequest('DELETE', '/webhooks/wh_123', {
        reply: referenceExample('responses/unsubscribed/wh_123'),
        replySchema: 'responses/unsubscribed',
      });
      await appTester(triggerOperation(key, 'performUnsubscribe'), {
        authData,
        subscribeData: { id: 'wh_123' },
      });
      assert.equal(seen.length, 1);
      expectRequest('DELETE', '/webhooks/wh_gone', {
        status: 404,
        reply: { ok: false, error: 'not-found' },
      });
      const gone = await appTester(triggerOperation(key, 'performUnsubscribe'), {
        authData,
        subscribeData: { id: 'wh_gone' },
      });
      assert.deepEqual(gone, { ok: true, id: 'wh_gone', active: false });
    });

    test('perform returns exactly the delivered payload with an id and derived names, and performList the same shape', async () => {
      const [live] = (await appTester(triggerOperation(key, 'perform'), {
        authData,
        cleanedRequest: asZapierDelivers(payload),
      })) as Record<string, unknown>[];
      const { sent, derived } = splitResult(contract, schema, live as never);
      assert.deepEqual(sent, payload, "the payload's keys, nothing Zapier added");
      const { id, ...nameParts } = derived;
      assert.equal(typeof id, 'string');
      assert.deepEqual(nameParts, names);

      expectRequest('GET', samples, {
        reply: { ok: true, items: [payload] },
        replySchema: 'responses/sample-list',
      });
      const listed = (await appTester(triggerOperation(key, 'performList'), {
        authData,
      })) as Record<string, unknown>[];
      assert.equal(listed.length, 1);
      assert.deepEqual(Object.keys(listed[0]).sort(), Object.keys(live).sort());
      for (const field of Object.keys(live))
        assert.equal(typeof listed[0][field], typeof live[field], field);
      assert.equal(listed[0].id, id, 'the same event gets the same id either way');
    });

    /** The reference example as it would be `minutesAgo` before now. */
    const earlier = (minutesAgo: number) => ({
      ...payload,
      timestamp: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    });

    test('performList offers the editor the newest three events, newest first', async () => {
      const items = [earlier(1), earlier(2), earlier(3)];
      expectRequest('GET', samples, {
        reply: { ok: true, items: [...items, earlier(4)] },
        replySchema: 'responses/sample-list',
      });
      const listed = (await appTester(triggerOperation(key, 'performList'), {
        authData,
      })) as { timestamp: string }[];
      assert.deepEqual(
        listed.map((result) => result.timestamp),
        items.map((item) => item.timestamp),
      );
    });

    test('performList: a refused limit falls back to the documented call', async () => {
      expectRequest('GET', samples, {
        status: 400,
        reply: { ok: false, error: 'invalid-request' },
      });
      const seen = expectRequest('GET', documented, {
        reply: { ok: true, items: [payload] },
        replySchema: 'responses/sample-list',
      });
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        const listed = (await appTester(triggerOperation(key, 'performList'), {
          authData,
        })) as unknown[];
        assert.equal(seen.length, 1);
        assert.equal(listed.length, 1);
      } finally {
        log.mockRestore();
      }
    });

    test('the id is unique per event occurrence', async () => {
      const later = { ...payload, timestamp: '2026-04-09T00:00:00.000Z' };
      const [first] = (await appTester(triggerOperation(key, 'perform'), {
        authData,
        cleanedRequest: payload,
      })) as { id: string }[];
      const [second] = (await appTester(triggerOperation(key, 'perform'), {
        authData,
        cleanedRequest: later,
      })) as { id: string }[];
      assert.notEqual(first.id, second.id);
    });

    test('perform without a delivered payload (zapier-platform invoke) lists recent events', async () => {
      expectRequest('GET', samples, {
        reply: { ok: true, items: [payload] },
        replySchema: 'responses/sample-list',
      });
      const listed = (await appTester(triggerOperation(key, 'perform'), { authData })) as Record<
        string,
        unknown
      >[];
      assert.equal(listed[0].event, event);
    });

    test('a body that is not this event triggers nothing', async () => {
      const other = event === 'tag.added' ? 'contact.created' : 'tag.added';
      for (const cleanedRequest of [{}, { ...payload, event: other }, { event }]) {
        assert.deepEqual(
          await appTester(triggerOperation(key, 'perform'), { authData, cleanedRequest }),
          [],
        );
      }
    });

    test("unsubscribing without a subscription id sends nothing; a 404 that is not Chatting's fails", async () => {
      assert.deepEqual(
        await appTester(triggerOperation(key, 'performUnsubscribe'), {
          authData,
          subscribeData: {} as { id: string },
        }),
        { ok: true, id: '', active: false },
      );
      expectRequest('DELETE', '/webhooks/wh_1', { status: 404, reply: '<html>Not Found</html>' });
      await assert.rejects(
        appTester(triggerOperation(key, 'performUnsubscribe'), {
          authData,
          subscribeData: { id: 'wh_1' },
        }),
      );
    });

    test('an empty sample list is an empty result', async () => {
      expectRequest('GET', samples, {
        reply: { ok: true, items: [] },
        replySchema: 'responses/sample-list',
      });
      assert.deepEqual(await appTester(triggerOperation(key, 'performList'), { authData }), []);
    });

    for (const [what, reply] of [
      ['no items', { ok: true }],
      ['items that are not a list', { ok: true, items: null }],
      ['items of another event', { ok: true, items: [{ ...payload, event: 'other.event' }] }],
      ['a page, not JSON', '<html>Welcome</html>'],
    ] as const) {
      test(`a sample answer with ${what} is an error naming the call and the answer`, async () => {
        expectRequest('GET', samples, { reply });
        await assert.rejects(
          appTester(triggerOperation(key, 'performList'), { authData }),
          (error: Error) => {
            const message = userMessage(error);
            assert.ok(message.includes(`GET ${samples}`), message);
            assert.ok(message.includes(typeof reply === 'string' ? reply : '"ok":true'), message);
            return true;
          },
        );
      });
    }

    test('a subscribe answer without an id is an error, not a subscription nobody can remove', async () => {
      expectRequest('POST', '/webhooks/subscribe', {
        schema: 'requests/subscribe',
        status: 201,
        reply: { ok: true },
      });
      await assert.rejects(
        appTester(triggerOperation(key, 'performSubscribe'), {
          authData,
          targetUrl: 'https://hooks.zapier.com/hooks/standard/1/abc',
        }),
        (error: Error) => userMessage(error).includes('POST /webhooks/subscribe'),
      );
    });
  });
}

describe('tag_added: the optional Tag filter', () => {
  const payload = referenceExample('events/tag-added/reference') as Record<string, unknown>;
  const perform = triggerOperation('tag_added', 'perform');

  test('is an optional input field', () => {
    const fields = (
      App.triggers as unknown as Record<
        string,
        { operation: { inputFields?: { key: string; required?: boolean }[] } }
      >
    ).tag_added.operation.inputFields;
    assert.deepEqual(
      fields?.map((f) => [f.key, f.required]),
      [['tag', false]],
    );
  });

  test('perform: only the chosen tag triggers (letter case ignored); empty means every tag', async () => {
    const cleanedRequest = asZapierDelivers(payload);
    for (const [tag, count] of [
      ['vip', 1],
      [' VIP ', 1],
      ['lead', 0],
      ['', 1],
    ] as const) {
      const results = (await appTester(perform, {
        authData,
        cleanedRequest,
        inputData: { tag },
      })) as unknown[];
      assert.equal(results.length, count, `tag "${tag}"`);
    }
  });

  test('perform: a delivery without a tag, or with a tag that is not text, does not match one', async () => {
    const flatless = asZapierDelivers(payload);
    delete flatless.data__tag;
    const untagged = { ...flatless, data: { conversation_id: 'conv_1' } };
    const numbered = { ...untagged, data__tag: 7, data: { conversation_id: 'conv_1', tag: 7 } };
    for (const cleanedRequest of [untagged, numbered]) {
      const results = (await appTester(perform, {
        authData,
        cleanedRequest,
        inputData: { tag: 'vip' },
      })) as unknown[];
      assert.deepEqual(results, []);
    }
    // Without the filter the delivery triggers, as any delivery of the event does.
    const all = (await appTester(perform, { authData, cleanedRequest: untagged })) as unknown[];
    assert.equal(all.length, 1);
    // The nested tag is read when the flat copy is missing.
    const nestedOnly = { ...flatless, data: { conversation_id: 'conv_1', tag: 'VIP' } };
    const matched = (await appTester(perform, {
      authData,
      cleanedRequest: nestedOnly,
      inputData: { tag: 'vip' },
    })) as unknown[];
    assert.equal(matched.length, 1);
  });

  test('performList without a Tag: the newest events, whatever their tag', async () => {
    for (const inputData of [{}, { tag: '' }, { tag: '  ' }]) {
      const seen = expectRequest('GET', '/conversations?limit=3&event=tag.added', {
        reply: { ok: true, items: [payload, payload] },
        replySchema: 'responses/sample-list',
      });
      const listed = (await appTester(triggerOperation('tag_added', 'performList'), {
        authData,
        inputData,
      })) as unknown[];
      assert.equal(seen.length, 1);
      assert.equal(listed.length, 2, JSON.stringify(inputData));
    }
  });

  /** A tag.added payload of `tag`, added `minutesAgo` before now. */
  const tagged = (tag: string, minutesAgo: number) => ({
    ...payload,
    timestamp: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    data__tag: tag,
    data: { ...(payload.data as object), tag },
  });

  test('performList with a Tag: a list of recent events, filtered, the newest three first', async () => {
    const items = [
      tagged('support', 1),
      tagged('VIP', 2),
      tagged('lead', 3),
      tagged('vip', 4),
      tagged('vip', 5),
      tagged('Vip', 6),
    ];
    expectRequest('GET', '/conversations?limit=100&event=tag.added', {
      reply: { ok: true, items },
      replySchema: 'responses/sample-list',
    });
    const listed = (await appTester(triggerOperation('tag_added', 'performList'), {
      authData,
      inputData: { tag: 'vip' },
    })) as { data__tag: string; timestamp: string }[];
    assert.deepEqual(
      listed.map((result) => [result.data__tag, result.timestamp]),
      [
        ['VIP', items[1].timestamp],
        ['vip', items[3].timestamp],
        ['vip', items[4].timestamp],
      ],
    );
  });

  test('performList with a Tag: a refused limit falls back to the documented call', async () => {
    expectRequest('GET', '/conversations?limit=100&event=tag.added', {
      status: 400,
      reply: { ok: false, error: 'invalid-request' },
    });
    expectRequest('GET', '/conversations?limit=1&event=tag.added', {
      reply: { ok: true, items: [tagged('vip', 1)] },
      replySchema: 'responses/sample-list',
    });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const listed = (await appTester(triggerOperation('tag_added', 'performList'), {
        authData,
        inputData: { tag: 'vip' },
      })) as unknown[];
      assert.equal(listed.length, 1);
    } finally {
      log.mockRestore();
    }
  });
});

describe('tag.added ids', () => {
  test('two tags added at the same moment are two occurrences', async () => {
    const payload = referenceExample('events/tag-added/reference') as Record<string, unknown>;
    const other = {
      ...payload,
      data__tag: 'urgent',
      data: { ...(payload.data as object), tag: 'urgent' },
    };
    const perform = triggerOperation('tag_added', 'perform');
    const [a] = (await appTester(perform, { authData, cleanedRequest: payload })) as {
      id: string;
    }[];
    const [b] = (await appTester(perform, { authData, cleanedRequest: other })) as { id: string }[];
    assert.notEqual(a.id, b.id);
    assert.ok(validate('events/tag-added', other).valid);
  });
});

describe('dropdown triggers', () => {
  test('contact_list: recent contacts, one choice each, named by name and email', async () => {
    const contact = referenceExample('events/contact-created/reference') as Record<string, unknown>;
    const noName = {
      ...contact,
      data__contact_id: 'cnt_2',
      data__name: null,
      data: { ...(contact.data as object), contact_id: 'cnt_2', name: null },
    };
    expectRequest('GET', '/contacts?limit=100', {
      reply: { ok: true, items: [contact, contact, noName] },
      replySchema: 'responses/sample-list',
    });
    const choices = await appTester(triggerOperation('contact_list', 'perform'), { authData });
    assert.deepEqual(choices, [
      { id: 'cnt_abc123', name: 'Ava Brooks (visitor@example.com)' },
      { id: 'cnt_2', name: 'visitor@example.com' },
    ]);
  });

  test('an item without its record id offers no choice, and fails nothing', async () => {
    const contact = referenceExample('events/contact-created/reference') as Record<string, unknown>;
    const idless = { ...contact, data__contact_id: undefined, data: { email: 'x@example.com' } };
    expectRequest('GET', '/contacts?limit=100', { reply: { ok: true, items: [idless, contact] } });
    const choices = (await appTester(triggerOperation('contact_list', 'perform'), {
      authData,
    })) as { id: string }[];
    assert.deepEqual(
      choices.map((choice) => choice.id),
      ['cnt_abc123'],
    );
  });

  test('conversation_list: recent conversations, labelled by visitor and first message', async () => {
    const conversation = referenceExample('events/conversation-created/reference');
    expectRequest('GET', '/conversations?limit=100', {
      reply: { ok: true, items: [conversation] },
      replySchema: 'responses/sample-list',
    });
    const choices = await appTester(triggerOperation('conversation_list', 'perform'), { authData });
    assert.deepEqual(choices, [
      { id: 'conv_abc123', name: 'Ava Brooks: Do you have a free plan?' },
    ]);
  });

  for (const [key, wider, documented, example] of [
    ['contact_list', '/contacts?limit=100', '/contacts?limit=1', 'contact-created'],
    [
      'conversation_list',
      '/conversations?limit=100',
      '/conversations?limit=1',
      'conversation-created',
    ],
  ] as const) {
    test(`${key}: a refused limit falls back to the documented call`, async () => {
      expectRequest('GET', wider, { status: 400, reply: { ok: false, error: 'invalid-request' } });
      const seen = expectRequest('GET', documented, {
        reply: { ok: true, items: [referenceExample(`events/${example}/reference`)] },
        replySchema: 'responses/sample-list',
      });
      // The app notes the fallback in Zapier's log (z.console); here it is checked, not printed.
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        const choices = (await appTester(triggerOperation(key, 'perform'), {
          authData,
        })) as unknown[];
        assert.equal(seen.length, 1);
        assert.equal(choices.length, 1);
        assert.ok(
          log.mock.calls.some(([line]) => String(line).includes('refused limit=100')),
          'the fallback is logged',
        );
      } finally {
        log.mockRestore();
      }
    });

    test(`${key}: an answer without items is an error, not an empty dropdown`, async () => {
      expectRequest('GET', wider, { reply: { ok: true, results: [] } });
      await assert.rejects(
        appTester(triggerOperation(key, 'perform'), { authData }),
        (error: Error) => userMessage(error).includes(`GET ${wider}`),
      );
    });
  }
});

describe('first and last names', () => {
  test('the first word is the first name, the rest the last name', () => {
    for (const [full, parts] of [
      ['Ava Brooks', ['Ava', 'Brooks']],
      ['  Ludwig   van Beethoven ', ['Ludwig', 'van Beethoven']],
      ['Cher', ['Cher', '']],
      ['', ['', '']],
      [null, ['', '']],
      [undefined, ['', '']],
    ] as const) {
      assert.deepEqual(splitName(full), parts, String(full));
    }
  });

  for (const [why, withoutName] of [
    ['a null name', (data: object) => ({ data__name: null, data: { ...data, name: null } })],
    [
      'no name key at all',
      (data: object) => ({ data__name: undefined, data: { ...data, name: undefined } }),
    ],
  ] as const) {
    test(`a delivery with ${why} still has both fields, empty, as the samples do`, async () => {
      const contact = referenceExample('events/contact-created/reference') as Record<
        string,
        unknown
      >;
      // JSON drops the undefined keys, as a payload without them would arrive.
      const delivered = JSON.parse(
        JSON.stringify({ ...contact, ...withoutName(contact.data as object) }),
      ) as Record<string, unknown>;
      const [result] = (await appTester(triggerOperation('contact_created', 'perform'), {
        authData,
        cleanedRequest: delivered,
      })) as Record<string, unknown>[];
      assert.equal(result.first_name, '');
      assert.equal(result.last_name, '');
    });
  }
});
