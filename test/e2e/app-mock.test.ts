/**
 * The Zapier app against the mock over real HTTP, with real webhook deliveries: for each trigger,
 * subscribe through the app, make the event happen through the admin API, catch the delivery on a
 * local receiver, feed it to perform, and compare with performList; unsubscribe and check that
 * nothing more arrives. Then auth, each create (a replay with the same Deduplication Key creates
 * once), and each documented error as the Zapier error type a user would see.
 */
import assert from 'node:assert/strict';
import { occurrenceId } from '../../src/events';
import {
  App,
  appTester,
  authTest,
  createPerform,
  TRIGGER_EVENTS,
  triggerOperation,
  zapierError,
} from '../helpers/app';
import { addFault, DEMO_KEYS, startMock, type RunningMock } from '../helpers/mock';
import { startReceiver, until, type Receiver } from '../helpers/receiver';

let mock: RunningMock;
let receiver: Receiver;
const authData = { api_key: DEMO_KEYS.acme };

beforeAll(async () => {
  mock = await startMock({ delivery: { backoffMs: 20, attempts: 3, timeoutMs: 2000 } });
  receiver = await startReceiver();
  process.env.CHATTING_BASE_URL = `${mock.base}/api/zapier`;
});
afterAll(async () => {
  delete process.env.CHATTING_BASE_URL;
  await receiver.close();
  await mock.stop();
});
afterEach(async () => {
  await mock.request('DELETE', '/__admin/faults', { key: null });
});

async function fire(event: string, data: object = {}) {
  const answer = await mock.request('POST', '/__admin/events', {
    key: null,
    body: { workspace_id: 'owner_123', event, data },
  });
  assert.equal(answer.status, 201, answer.text);
  return answer.body as { event: Record<string, unknown>; deliveries: number };
}

describe('triggers, end to end', () => {
  for (const [key, event, data] of TRIGGER_EVENTS) {
    test(`${key}: subscribe, deliver, perform ≡ performList, unsubscribe`, async () => {
      const targetUrl = receiver.url(`/${key}`);
      const subscribeData = (await appTester(triggerOperation(key, 'performSubscribe'), {
        authData,
        targetUrl,
      })) as { id: string };
      const subscription = mock.server.services.store.get('subscriptions', subscribeData.id);
      assert.equal(subscription?.active, true, 'a real subscription');
      assert.equal(subscription?.event, event);
      assert.equal(subscription?.target_url, targetUrl);

      const before = receiver.received.length;
      const fired = await fire(event, data);
      assert.equal(fired.deliveries, 1);
      await receiver.waitFor(before + 1);
      const delivery = receiver.received[before];
      assert.equal(delivery.path, `/${key}`);
      assert.deepEqual(delivery.body, fired.event);

      const [live] = (await appTester(triggerOperation(key, 'perform'), {
        authData,
        cleanedRequest: delivery.body,
      })) as Record<string, unknown>[];
      const [sample] = (await appTester(triggerOperation(key, 'performList'), {
        authData,
      })) as Record<string, unknown>[];
      assert.deepEqual(Object.keys(sample).sort(), Object.keys(live).sort(), 'same keys');
      for (const field of Object.keys(live))
        assert.equal(typeof sample[field], typeof live[field], field);
      assert.equal(live.id, occurrenceId(delivery.body as never));
      assert.equal(
        sample.id,
        live.id,
        'the newest sample is the event just delivered, with the same id',
      );

      await appTester(triggerOperation(key, 'performUnsubscribe'), { authData, subscribeData });
      assert.equal(
        mock.server.services.store.get('subscriptions', subscribeData.id)?.active,
        false,
      );
      const again = await fire(event, event === 'tag.added' ? { ...data, tag: 'e2e-after' } : data);
      assert.equal(again.deliveries, 0);
      await until(() => mock.server.services.deliverer.pending === 0, 'deliveries to settle');
      assert.equal(
        receiver.received.filter((r) => r.path === `/${key}`).length,
        1,
        'nothing after unsubscribing',
      );
    });
  }
});

describe('auth, end to end', () => {
  test('the auth test answers the workspace; the label template names it', async () => {
    const me = (await appTester(authTest, { authData })) as Record<string, string>;
    assert.equal(me.team_name, 'Acme Team');
    const label = (App.authentication?.connectionLabel as string).replace(
      /\{\{bundle\.inputData\.(\w+)\}\}/g,
      (_, field: string) => me[field],
    );
    assert.equal(label, 'Acme Team (owner@example.com)');
  });

  test('a revoked key asks the user to reconnect', async () => {
    const failure = await zapierError(
      appTester(authTest, {
        authData: { api_key: DEMO_KEYS.revoked },
      }),
    );
    assert.equal(failure.name, 'ExpiredAuthError');
  });
});

describe('creates, end to end', () => {
  test('create_contact creates once, even when replayed with the same Deduplication Key', async () => {
    const inputData = {
      email: 'e2e.dedupe@example.com',
      name: 'E2E',
      tags: ['a'],
      deduplication_key: 'contact.created:e2e:1',
    };
    const first = (await appTester(createPerform('create_contact'), { authData, inputData })) as {
      id: string;
    };
    const events = mock.server.services.store.all('events').length;
    const second = (await appTester(createPerform('create_contact'), { authData, inputData })) as {
      id: string;
    };
    assert.deepEqual(second, first);
    assert.equal(
      mock.server.services.store.all('events').length,
      events,
      'no second contact.created',
    );
    assert.equal(mock.server.services.store.get('contacts', first.id)?.name, 'E2E');
  });

  test('send_message sends once when replayed with the same Deduplication Key', async () => {
    const inputData = {
      conversation_id: 'conv_124',
      message: 'E2E hello',
      deduplication_key: 'conversation.created:conv_124:x',
    };
    const count = () =>
      mock.server.services.store.all('messages').filter((m) => m.message === 'E2E hello').length;
    await appTester(createPerform('send_message'), { authData, inputData });
    await appTester(createPerform('send_message'), { authData, inputData });
    assert.equal(count(), 1);
  });

  test('add_tag_to_contact tags the contact', async () => {
    await appTester(createPerform('add_tag_to_contact'), {
      authData,
      inputData: { contact_id: 'contact_124', tag: 'e2e', deduplication_key: 'k-tag' },
    });
    assert.ok(mock.server.services.store.get('contacts', 'contact_124')?.tags.includes('e2e'));
  });

  test("the dropdowns list the mock's contacts and conversations", async () => {
    const contacts = (await appTester(triggerOperation('contact_list', 'perform'), {
      authData,
    })) as {
      id: string;
    }[];
    assert.ok(contacts.some((c) => c.id === 'contact_123'));
    const conversations = (await appTester(triggerOperation('conversation_list', 'perform'), {
      authData,
    })) as { id: string }[];
    assert.ok(conversations.some((c) => c.id === 'conv_124'));
  });
});

describe('the Deduplication Key, end to end', () => {
  test('two Add Tag steps mapping the same Event ID both run; a replayed step runs once', async () => {
    // A Zap: New Contact → Add Tag (vip) → Add Tag (lead), both steps mapping the Event ID.
    const fired = await fire('contact.created', { email: 'two.steps@example.com' });
    const [trigger] = (await appTester(triggerOperation('contact_created', 'perform'), {
      authData,
      cleanedRequest: { ...fired.event, querystring: {} },
    })) as { id: string; data__contact_id: string }[];
    const step = (tag: string) => ({
      authData,
      inputData: { contact_id: trigger.data__contact_id, tag, deduplication_key: trigger.id },
    });
    const keys = () => mock.server.services.store.all('idempotency_keys').length;
    const before = keys();

    const vip = await appTester(createPerform('add_tag_to_contact'), step('vip'));
    const lead = await appTester(createPerform('add_tag_to_contact'), step('lead'));
    assert.deepEqual(vip, { id: trigger.data__contact_id, tag: 'vip' });
    assert.deepEqual(lead, { id: trigger.data__contact_id, tag: 'lead' });
    assert.deepEqual(mock.server.services.store.get('contacts', trigger.data__contact_id)?.tags, [
      'vip',
      'lead',
    ]);
    assert.equal(keys(), before + 2, 'two steps, two keys');

    // Zapier replays the second step: the same key, answered from the first run.
    const replayed = await appTester(createPerform('add_tag_to_contact'), step('lead'));
    assert.deepEqual(replayed, lead);
    assert.equal(keys(), before + 2, 'the replay was answered from its key');
  });
});

describe('documented errors, as Zapier users see them', () => {
  /** Create Contact with `inputData` (the demo key unless `auth` says else), as it fails. */
  const failedCreateContact = (
    inputData: Record<string, unknown>,
    auth: { api_key: string } = authData,
  ) => zapierError(appTester(createPerform('create_contact'), { authData: auth, inputData }));

  test('missing-email names the Email field', async () => {
    const failure = await failedCreateContact({ email: '' });
    assert.equal(failure.name, 'AppError');
    assert.match(failure.text, /Email is required/);
  });

  test('invalid-email names the Email field', async () => {
    const failure = await failedCreateContact({ email: 'nope' });
    assert.match(failure.text, /not a valid email/);
  });

  test('not-found names the contact', async () => {
    const failure = await zapierError(
      appTester(createPerform('add_tag_to_contact'), {
        authData,
        inputData: { contact_id: 'contact_missing', tag: 'x' },
      }),
    );
    assert.match(failure.text, /Contact "contact_missing" was not found/);
  });

  test("contact-site-forbidden for another workspace's contact", async () => {
    const failure = await zapierError(
      appTester(createPerform('add_tag_to_contact'), {
        authData,
        inputData: { contact_id: 'contact_456', tag: 'x' },
      }),
    );
    assert.match(failure.text, /another Chatting workspace/);
  });

  test('workspace-site-missing explains what to do', async () => {
    const failure = await failedCreateContact(
      { email: 'x@example.com' },
      { api_key: DEMO_KEYS.nosite },
    );
    assert.match(failure.text, /no website/);
  });

  test('a 5xx is an error Zapier can replay', async () => {
    await addFault(mock, { path: '/api/zapier/contacts', error: 'contact-save-failed', times: 1 });
    const failure = await failedCreateContact({ email: 'x@example.com' });
    assert.equal(failure.name, 'AppError');
    assert.match(failure.text, /problem on its side/);
  });

  test('a connection dropped without an answer: a create says it may have been saved, the connection test to try again', async () => {
    await addFault(mock, { method: 'POST', path: '/api/zapier/contacts', drop: true, times: 1 });
    const create = await failedCreateContact({ email: 'dropped@example.com' });
    assert.equal(create.name, 'AppError');
    assert.match(
      create.text,
      /^The connection to Chatting broke before it answered \(.+\), so this step may or may not have been saved\. /,
    );
    assert.match(create.text, /Deduplication Key/);
    assert.doesNotMatch(create.text, /FetchError|request to http/);

    await addFault(mock, { path: '/api/zapier/me', drop: true, times: 1 });
    const connection = await zapierError(appTester(authTest, { authData }));
    assert.equal(connection.name, 'AppError');
    assert.match(
      connection.text,
      /^The connection to Chatting broke before it answered \(.+\)\. Try again in a few minutes\.$/,
    );
  });

  test('an API nothing listens at: nothing was sent', async () => {
    const closed = await startMock();
    const base = process.env.CHATTING_BASE_URL;
    process.env.CHATTING_BASE_URL = `${closed.base}/api/zapier`;
    await closed.stop();
    try {
      const failure = await failedCreateContact({ email: 'x@example.com' });
      assert.equal(failure.name, 'AppError');
      assert.match(
        failure.text,
        /^Chatting's API could not be reached \(.*ECONNREFUSED.*\), so nothing was sent\. Try again in a few minutes: you can replay this run/,
      );
    } finally {
      process.env.CHATTING_BASE_URL = base;
    }
  });

  test('rate-limited is a ThrottledError with the Retry-After delay', async () => {
    await addFault(mock, {
      path: '/api/zapier/me',
      error: 'rate-limited',
      retry_after: 9,
      times: 1,
    });
    const failure = await zapierError(appTester(authTest, { authData }));
    assert.equal(failure.name, 'ThrottledError');
  });
});

describe('the Zap editor, end to end', () => {
  /** A new workspace of its own, with a primary site, and its API key. */
  async function workspace(team: string): Promise<{ id: string; authData: { api_key: string } }> {
    const created = await mock.request('POST', '/__admin/workspaces', {
      key: null,
      body: { team_name: team, owner_email: `owner@${team.toLowerCase()}.example` },
    });
    assert.equal(created.status, 201, created.text);
    const { workspace, api_key } = created.body as { workspace: { id: string }; api_key: string };
    return { id: workspace.id, authData: { api_key } };
  }
  async function fireIn(workspaceId: string, event: string, data: object = {}) {
    const answer = await mock.request('POST', '/__admin/events', {
      key: null,
      body: { workspace_id: workspaceId, event, data },
    });
    assert.equal(answer.status, 201, answer.text);
  }

  test('every trigger offers several samples where the workspace has them, one where it has one', async () => {
    const few = await workspace('Samples');
    for (const [, event, data] of TRIGGER_EVENTS) {
      // The demo data's conversation ids are another workspace's: act on this one's newest.
      const rest = Object.fromEntries(
        Object.entries(data).filter(([k]) => k !== 'conversation_id'),
      );
      await fireIn(few.id, event, rest);
      await fireIn(few.id, event, rest);
    }
    for (const [key] of TRIGGER_EVENTS) {
      const samples = (await appTester(triggerOperation(key, 'performList'), {
        authData: few.authData,
      })) as { id: string; timestamp: string }[];
      assert.ok(samples.length >= 2 && samples.length <= 3, `${key}: ${samples.length} samples`);
      assert.equal(new Set(samples.map((s) => s.id)).size, samples.length, `${key}: distinct`);
      const times = samples.map((s) => s.timestamp);
      assert.deepEqual(times, [...times].sort().reverse(), `${key}: newest first`);
    }

    const one = await workspace('Single');
    await fireIn(one.id, 'contact.created', { email: 'only@single.example', name: 'Ava Brooks' });
    const [only, ...none] = (await appTester(triggerOperation('contact_created', 'performList'), {
      authData: one.authData,
    })) as Record<string, unknown>[];
    assert.equal(none.length, 0);
    assert.equal(only.first_name, 'Ava');
    assert.equal(only.last_name, 'Brooks');
  });

  test('New Conversation gives the visitor first and last name, in perform and performList alike', async () => {
    const fired = await fire('conversation.created', { visitor_name: 'Ludwig van Beethoven' });
    const [live] = (await appTester(triggerOperation('conversation_created', 'perform'), {
      authData,
      cleanedRequest: { ...fired.event, querystring: {} },
    })) as Record<string, unknown>[];
    const [sample] = (await appTester(triggerOperation('conversation_created', 'performList'), {
      authData,
    })) as Record<string, unknown>[];
    for (const result of [live, sample]) {
      assert.equal(result.visitor_first_name, 'Ludwig');
      assert.equal(result.visitor_last_name, 'van Beethoven');
    }
  });

  test('Create Contact says created for a new email and updated for a known one', async () => {
    const created = (await appTester(createPerform('create_contact'), {
      authData,
      inputData: { email: 'new.person@example.com', name: 'New Person' },
    })) as { id: string; result: string };
    assert.equal(created.result, 'created');
    // contact_124 of the demo data has this email, as Noah Park.
    const updated = (await appTester(createPerform('create_contact'), {
      authData,
      inputData: { email: 'visitor@example.com', name: 'Website Visitor' },
    })) as { id: string; result: string };
    assert.equal(updated.result, 'updated');
    assert.equal(updated.id, 'contact_124');
    assert.equal(
      mock.server.services.store.get('contacts', 'contact_124')?.name,
      'Website Visitor',
    );
  });

  test('tags mapped as text "vip, demo" add two tags', async () => {
    const saved = (await appTester(createPerform('create_contact'), {
      authData,
      inputData: { email: 'two.tags@example.com', tags: 'vip, demo' },
    })) as { id: string };
    assert.deepEqual(mock.server.services.store.get('contacts', saved.id)?.tags, ['vip', 'demo']);
  });

  test('a name Chatting refuses as too long: the error names the Name field', async () => {
    const failure = await zapierError(
      appTester(createPerform('create_contact'), {
        authData,
        inputData: { email: 'long.name@example.com', name: 'x'.repeat(300) },
      }),
    );
    assert.equal(failure.name, 'AppError');
    assert.match(failure.text, /^Chatting did not accept the (value mapped to the )?Name field/);
    assert.doesNotMatch(failure.text, /Tags|Custom Fields|Phone/);
  });

  test('an empty Contact halts the run, names the field, and sends nothing', async () => {
    const newest = () => JSON.stringify(mock.server.services.requests.latest(1));
    const before = newest();
    const failure = await zapierError(
      appTester(createPerform('add_tag_to_contact'), {
        authData,
        inputData: { contact_id: '', tag: 'vip' },
      }),
    );
    assert.equal(failure.name, 'HaltedError');
    assert.match(failure.text, /^The Contact field is empty in this run/);
    assert.equal(newest(), before, 'no request reached Chatting');
  });
});
