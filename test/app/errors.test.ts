import assert from 'node:assert/strict';
import { appTester, authData, expectRequest, useNock } from '../helpers/nock-api';
import { authTest, createPerform, triggerOperation, zapierError } from '../helpers/app';
import { contract, statusOf } from '../../schemas/validator';

useNock();

const perform = createPerform;

async function failure(
  run: Promise<unknown>,
): Promise<{ name: string; message: string; delay?: number }> {
  const { name, text, delay } = await zapierError(run);
  return { name, message: text, delay };
}

/** Everything jest can fake except Date. */
const TIMERS_BUT_DATE = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

const contact = { authData, inputData: { email: 'x@example.com' } };

describe('errors a Zapier user sees', () => {
  for (const [code, field] of [
    ['missing-email', /Email/],
    ['invalid-email', /Email/],
  ] as const) {
    test(`${code} names the field to fix`, async () => {
      expectRequest('POST', '/contacts', { status: 400, reply: { ok: false, error: code } });
      const { name, message } = await failure(appTester(perform('create_contact'), contact));
      assert.equal(name, 'AppError');
      assert.match(message, field);
    });
  }

  for (const [key, field, noun] of [
    ['add_tag_to_contact', 'contact_id', 'Contact'],
    ['send_message', 'conversation_id', 'Conversation'],
  ] as const) {
    test(`${key}: an empty ${field} halts the run, names the field, and sends nothing`, async () => {
      // Nothing is mocked: a request would fail the test with nock's own error.
      const { name, message } = await failure(
        appTester(perform(key), {
          authData,
          inputData: { [field]: ' ', tag: 'vip', message: 'Hi' },
        }),
      );
      // Halted, not failed: Zapier turns a Zap off after repeated errors, never for halts.
      assert.equal(name, 'HaltedError');
      assert.equal(
        message,
        `The ${noun} field is empty in this run, so there is no ${noun.toLowerCase()} to send this to. Choose a ${noun.toLowerCase()}, or map an ID from an earlier step that always gives one.`,
      );
    });
  }

  test('missing-tag and missing-message name their fields', async () => {
    expectRequest('POST', '/contacts/c1/tags', {
      status: 400,
      reply: { ok: false, error: 'missing-tag' },
    });
    const tag = await failure(
      appTester(perform('add_tag_to_contact'), {
        authData,
        inputData: { contact_id: 'c1', tag: ' ' },
      }),
    );
    assert.match(tag.message, /Tag/);
    expectRequest('POST', '/conversations/v1/messages', {
      status: 400,
      reply: { ok: false, error: 'missing-message' },
    });
    const message = await failure(
      appTester(perform('send_message'), {
        authData,
        inputData: { conversation_id: 'v1', message: '' },
      }),
    );
    assert.match(message.message, /Message/);
  });

  test('not-found says which contact was not found', async () => {
    expectRequest('POST', '/contacts/contact_nope/tags', {
      status: 404,
      reply: { ok: false, error: 'not-found' },
    });
    const { message } = await failure(
      appTester(perform('add_tag_to_contact'), {
        authData,
        inputData: { contact_id: 'contact_nope', tag: 'vip' },
      }),
    );
    assert.match(message, /Contact "contact_nope" was not found/);
  });

  test('not-found says which conversation was not found', async () => {
    expectRequest('POST', '/conversations/conv_nope/messages', {
      status: 404,
      reply: { ok: false, error: 'not-found' },
    });
    const { message } = await failure(
      appTester(perform('send_message'), {
        authData,
        inputData: { conversation_id: 'conv_nope', message: 'hi' },
      }),
    );
    assert.match(message, /Conversation "conv_nope" was not found/);
  });

  test('idempotency-key-conflict explains that the key was reused', async () => {
    expectRequest('POST', '/contacts', {
      status: 409,
      reply: { ok: false, error: 'idempotency-key-conflict' },
    });
    const { message } = await failure(
      appTester(perform('create_contact'), {
        authData,
        inputData: { email: 'x@example.com', deduplication_key: 'k' },
      }),
    );
    assert.match(message, /Deduplication Key sent is made from this action/);
    assert.doesNotMatch(message, /unique to each trigger event/, 'the user did map one');
  });

  test('workspace-site-missing and contact-site-forbidden explain what to do', async () => {
    expectRequest('POST', '/contacts', {
      status: 409,
      reply: { ok: false, error: 'workspace-site-missing' },
    });
    assert.match(
      (await failure(appTester(perform('create_contact'), contact))).message,
      /no website/,
    );
    expectRequest('POST', '/contacts/c9/tags', {
      status: 403,
      reply: { ok: false, error: 'contact-site-forbidden' },
    });
    const forbidden = await failure(
      appTester(perform('add_tag_to_contact'), {
        authData,
        inputData: { contact_id: 'c9', tag: 't' },
      }),
    );
    assert.match(forbidden.message, /another Chatting workspace/);
  });

  for (const [status, code] of [
    [500, 'contact-save-failed'],
    [500, 'internal-error'],
    [503, 'internal-error'],
    [502, undefined],
  ] as const) {
    test(`${status} ${code ?? '(no envelope)'} is an error Zapier can replay`, async () => {
      expectRequest('POST', '/contacts', {
        status,
        reply: code ? { ok: false, error: code } : '<html>Bad gateway</html>',
      });
      const { name, message } = await failure(appTester(perform('create_contact'), contact));
      assert.equal(name, 'AppError', 'not halted: replayable');
      assert.match(message, /problem on its side/);
      assert.match(message, /[Rr]eplay/);
    });
  }

  test('a 5xx outside a Zap run (the connection test) offers no replay: there is no run to replay', async () => {
    expectRequest('GET', '/me', { status: 500, reply: { ok: false, error: 'internal-error' } });
    const { name, message } = await failure(appTester(authTest, { authData }));
    assert.equal(name, 'AppError');
    assert.equal(
      message,
      'Chatting could not finish this step because of a problem on its side. Try again in a few minutes.',
    );
  });

  test('a refusal without a message of its own says what fits its status', async () => {
    const refused = async (status: number, error: string) => {
      expectRequest('POST', '/contacts', { status, reply: { ok: false, error } });
      return (await failure(appTester(perform('create_contact'), contact))).message;
    };
    // Too slow to arrive: another try may do.
    assert.match(await refused(408, 'request-timeout'), /in time\. Try again in a few minutes/);
    // Made by the app: nothing mapped into the step changes it.
    for (const [status, error] of [
      [405, 'method-not-allowed'],
      [415, 'unsupported-media-type'],
      [417, 'expectation-failed'],
    ] as const) {
      const message = await refused(status, error);
      assert.match(message, /nothing in your Zap causes this\. Tell Chatting support/);
      assert.doesNotMatch(message, /mapped/);
    }
  });

  test("a trigger's refused request does not ask the user to check mapped fields", async () => {
    expectRequest('GET', '/conversations?limit=3', { status: 418, reply: '<p>teapot</p>' });
    const { message } = await failure(
      appTester(triggerOperation('conversation_created', 'performList'), { authData }),
    );
    assert.match(message, /^Chatting refused this request\. Try again later/);
    assert.doesNotMatch(message, /mapped|418|teapot/);
  });

  test('429 is a ThrottledError that waits for Retry-After, and says how long ("1 second")', async () => {
    for (const [header, wait] of [
      ['17', /try again in 17 seconds\.$/],
      ['1', /try again in 1 second\.$/],
    ] as const) {
      expectRequest('POST', '/contacts', {
        status: 429,
        reply: { ok: false, error: 'rate-limited' },
        headers: { 'retry-after': header },
      });
      const { name, message, delay } = await failure(appTester(perform('create_contact'), contact));
      assert.equal(name, 'ThrottledError');
      assert.equal(delay, Number(header));
      assert.match(message, wait);
    }
  });

  // Chatting's refusal names the field the way the contract's refusals do; the user reads the
  // field's label and what to do, in the app's words.
  for (const [step, input, refusal, expected] of [
    [
      'create_contact',
      contact.inputData,
      "name: at most 200 characters (the mock's own guard, not a rule of the Chatting API)",
      'Chatting did not accept the Name field: it takes at most 200 characters. Shorten the value mapped to Name, or leave the field empty.',
    ],
    [
      'create_contact',
      contact.inputData,
      'customFields.crm_owner: at most 2000 characters',
      'Chatting did not accept the Custom Fields field: it takes at most 2000 characters. Shorten the value mapped to Custom Fields, or leave the field empty.',
    ],
    [
      'create_contact',
      contact.inputData,
      'tags: at most 100 items',
      'Chatting did not accept the Tags field: it takes at most 100 items. Map fewer values to Tags.',
    ],
    [
      'send_message',
      { conversation_id: 'conv_1', message: 'Hi' },
      'body: is not valid here; sender: must be a string, not a number',
      'Chatting did not accept the value mapped to the Sender field. Check it, or leave the field empty.',
    ],
    // A required field: left empty, it would only be refused as missing.
    [
      'send_message',
      { conversation_id: 'conv_1', message: 'Hi' },
      "message: at most 10,000 characters (the mock's own guard, not a rule of the Chatting API)",
      'Chatting did not accept the Message field: it takes at most 10,000 characters. Shorten the value mapped to Message.',
    ],
    [
      'send_message',
      { conversation_id: 'conv_1', message: 'Hi' },
      'message: must be a string, not a number',
      'Chatting did not accept the value mapped to the Message field. Check it.',
    ],
    [
      'create_contact',
      contact.inputData,
      'customFields: field name "a_very_long_name…": at most 100 characters',
      'Chatting did not accept the Custom Fields field: each field name takes at most 100 characters. Shorten the field names mapped to Custom Fields.',
    ],
  ] as const) {
    test(`invalid-request "${refusal}" names the field and what to do`, async () => {
      const path = step === 'create_contact' ? '/contacts' : '/conversations/conv_1/messages';
      expectRequest('POST', path, {
        status: 400,
        reply: { ok: false, error: 'invalid-request', message: refusal },
      });
      const { name, message } = await failure(
        appTester(perform(step), { authData, inputData: input }),
      );
      assert.equal(name, 'AppError');
      assert.equal(message, expected);
    });
  }

  test('invalid-request naming no field of the step reads as a sentence, without a list of limits', async () => {
    expectRequest('POST', '/contacts', {
      status: 400,
      reply: {
        ok: false,
        error: 'invalid-request',
        message: 'nickname: is not a field of this body',
      },
    });
    const { message } = await failure(appTester(perform('create_contact'), contact));
    assert.match(
      message,
      /^Chatting could not accept one of the values mapped into this step\..*\.$/,
    );
    assert.doesNotMatch(message, /nickname|200|100/);
  });

  test('an unknown answer still reads as a sentence that says what to do', async () => {
    expectRequest('POST', '/contacts', { status: 418, reply: '<p>teapot</p>' });
    const { message } = await failure(appTester(perform('create_contact'), contact));
    assert.match(message, /^Chatting refused this step's request\. Check the values .*\.$/);
    assert.doesNotMatch(message, /418|teapot/);
  });

  // Every code the API can answer, with a server message in validator words: the user reads a
  // plain sentence, without the code and without the server's wording.
  for (const code of contract.errorCodes) {
    test(`${code}: a plain sentence, no code, no validator wording`, async () => {
      const status = statusOf(code);
      expectRequest('POST', '/contacts', {
        status,
        reply: { ok: false, error: code, message: 'email: must match format "email"' },
        ...(status === 429 ? { headers: { 'retry-after': '5' } } : {}),
      });
      const { message } = await failure(appTester(perform('create_contact'), contact));
      assert.match(message, /^[A-Z].*\.$/, message);
      assert.ok(!message.includes(code), `${message} names the code`);
      assert.doesNotMatch(message, /must match|format "|\{/, message);
    });
  }

  describe('Retry-After', () => {
    // The clock stands still (only Date is faked; timers run as usual), so an HTTP date 30 s
    // ahead is 30 s ahead whenever the test gets to run.
    const now = Date.parse('2026-04-09T00:00:00.000Z');
    beforeEach(() => {
      jest.useFakeTimers({ now, doNotFake: [...TIMERS_BUT_DATE] });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    for (const [header, delay] of [
      ['0', 1],
      ['17', 17],
      [new Date(now + 30_000).toUTCString(), 30],
      [new Date(now - 30_000).toUTCString(), 1],
    ] as const) {
      test(`Retry-After: ${header} waits ${delay} s`, async () => {
        expectRequest('POST', '/contacts', {
          status: 429,
          reply: { ok: false, error: 'rate-limited' },
          headers: { 'retry-after': header },
        });
        const { name, delay: waited } = await failure(
          appTester(perform('create_contact'), contact),
        );
        assert.equal(name, 'ThrottledError');
        assert.equal(waited, delay);
      });
    }
  });
});
