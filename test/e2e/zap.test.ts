/**
 * `npm run zap`: a whole Zap run locally with the compiled app. One run per trigger against the
 * run's own mock, one with a create, the Tag filter both ways, a run against a "deployment" (a
 * mock this test starts, reached through --base-url and --receiver-url), the CLI itself once,
 * and the `{{…}}` mapping.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { parseZapArgs } from '../../scripts/zap/cli';
import { startRecorder } from '../../scripts/zap/recorder';
import { Interrupted, isHalt, runZap, type ZapOptions } from '../../scripts/zap/run';
import { flatten, mapInput, render } from '../../scripts/zap/template';
import type { WebhookEvent } from '../../schemas/generated';
import { toTriggerResult } from '../../src/events';
import { TRIGGER_EVENTS } from '../helpers/app';
import { REPO, TSX } from '../helpers/child';
import { addFault, DEMO_KEYS, startMock, type RunningMock } from '../helpers/mock';

const run = promisify(execFile);

async function zap(
  options: Partial<ZapOptions> & { trigger: string },
): Promise<{ lines: string[]; result: Awaited<ReturnType<typeof runZap>> }> {
  const lines: string[] = [];
  const result = await runZap(
    { map: {}, filter: {}, eventData: {}, waitSeconds: 30, ...options },
    (line) => lines.push(line),
  );
  return { lines, result };
}

/**
 * A run that stops before its end: the lines it printed, once it has rejected as `rejection`
 * says (its message, or a test of the error; any error, unless given).
 */
async function stoppedZap(
  options: Partial<ZapOptions> & { trigger: string },
  rejection?: RegExp | ((error: Error) => boolean),
): Promise<string[]> {
  const lines: string[] = [];
  const running = runZap(
    { map: {}, filter: {}, eventData: {}, waitSeconds: 30, ...options },
    (line) => lines.push(line),
  );
  await (rejection ? assert.rejects(running, rejection) : assert.rejects(running));
  return lines;
}

/** The numbered step titles a run printed. */
const titles = (lines: string[]) =>
  lines.filter((line) => /^\d+\. /.test(line)).map((line) => line.replace(/^\d+\. /, ''));

describe('npm run zap, against its own mock', () => {
  for (const [trigger, event, eventData] of TRIGGER_EVENTS) {
    test(`${trigger}: subscribe, event, delivery, perform, unsubscribe`, async () => {
      const { lines, result } = await zap({ trigger, eventData });
      assert.deepEqual(titles(lines), [
        'Connection',
        'Subscribe',
        'Event',
        'Delivery, as received',
        'Trigger output',
        'Unsubscribe',
      ]);
      assert.equal(result.subscription.event, event);
      const delivered = JSON.parse(result.delivery.text) as Record<string, unknown>;
      const [output] = result.triggerOutput;
      assert.deepEqual(
        output,
        toTriggerResult(delivered as unknown as WebhookEvent),
        "the output is the delivery and what the app derives from it, without Zapier's keys",
      );
      assert.equal(typeof output.id, 'string');
      assert.ok(result.unsubscribed);
      const calls = result.exchanges.map((e) => `${e.method} ${e.path.split('?')[0]} ${e.status}`);
      assert.deepEqual(calls, [
        'GET /me 200',
        'POST /webhooks/subscribe 201',
        `DELETE /webhooks/${result.subscription.id} 200`,
      ]);
      assert.ok(lines.some((line) => line.includes('a mock of its own')));
    });
  }

  test('with a create: the trigger output mapped through {{…}} templates', async () => {
    const { lines, result } = await zap({
      trigger: 'conversation_created',
      eventData: { visitor_email: 'zap.run@example.com', visitor_name: 'Zap Run' },
      create: 'create_contact',
      map: {
        email: '{{data__visitor_email}}',
        name: '{{data__visitor_name}} (chat)',
        tags: 'from-zap',
        'customFields.first_page': '{{data__page_url}}',
        deduplication_key: '{{id}}',
      },
    });
    assert.ok(titles(lines).includes('Create: Create Contact'));
    const [output] = result.triggerOutput;
    assert.deepEqual(result.createInput, {
      email: 'zap.run@example.com',
      name: 'Zap Run (chat)',
      tags: ['from-zap'],
      customFields: { first_page: output.data__page_url },
      deduplication_key: output.id,
    });
    const post = result.exchanges.find((e) => e.method === 'POST' && e.path === '/contacts');
    assert.ok(post, 'the create was sent');
    assert.deepEqual(JSON.parse(post.requestBody), {
      email: 'zap.run@example.com',
      name: 'Zap Run (chat)',
      tags: ['from-zap'],
      customFields: { first_page: output.data__page_url },
    });
    assert.match(post.requestHeaders['idempotency-key'], /^create_contact-[0-9a-f]{64}$/);
    assert.equal(result.createOutput?.email, 'zap.run@example.com');
    assert.ok(!('ok' in (result.createOutput ?? {})));
  });

  test('--filter tag: the chosen tag runs the Zap, another one stops it before the create', async () => {
    const map = { conversation_id: '{{data__conversation_id}}', message: 'Tagged {{data__tag}}' };
    const vip = await zap({
      trigger: 'tag_added',
      filter: { tag: 'vip' },
      eventData: { conversation_id: 'conv_124' },
      create: 'send_message',
      map,
    });
    assert.equal(vip.result.triggerOutput.length, 1);
    assert.equal(vip.result.createOutput?.conversation_id, 'conv_124');

    const other = await zap({
      trigger: 'tag_added',
      filter: { tag: 'lead' },
      eventData: { conversation_id: 'conv_124', tag: 'vip' },
      create: 'send_message',
      map,
    });
    assert.deepEqual(other.result.triggerOutput, []);
    assert.equal(other.result.createOutput, undefined);
    assert.ok(other.result.unsubscribed);
    assert.ok(
      other.lines.includes(
        '   the trigger filtered this event out (tag=lead): the Zap stops here, as it would on Zapier',
      ),
      other.lines.join('\n'),
    );
    assert.ok(!titles(other.lines).some((title) => title.startsWith('Create')));
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The lines a step printed: its numbered title and what follows, up to the next step. */
function stepLines(lines: string[], title: string): string[] {
  const first = lines.findIndex((line) => line.replace(/^\d+\. /, '') === title);
  assert.ok(first >= 0, `no step "${title}" in:\n${lines.join('\n')}`);
  const next = lines.findIndex((line, i) => i > first && /^\d+\. /.test(line));
  return lines.slice(first, next < 0 ? undefined : next);
}

test('a failing create prints its mapped input, the unmatched {{…}}, its call and why; the trigger is still unsubscribed', async () => {
  const lines = await stoppedZap({
    trigger: 'contact_created',
    create: 'create_contact',
    map: { email: 'not-an-email', name: '{{data__nme}}' },
  });
  assert.deepEqual(titles(lines).slice(-2), ['Create: Create Contact: failed', 'Unsubscribe']);
  const failed = stepLines(lines, 'Create: Create Contact: failed');
  assert.equal(failed[1], '   input {"email":"not-an-email","name":""}');
  assert.equal(failed[2], "   not in the trigger's output (left empty): data__nme");
  assert.match(failed[3], /^ {3}→ POST \/contacts /);
  assert.match(failed[4], /^ {3}← 400 /);
  assert.match(failed[5], /^ {3}failed: Email is not a valid email address.* \[invalid-email\]$/);
  assert.ok(
    stepLines(lines, 'Unsubscribe').some((line) => /← 200 .*"active":false/.test(line)),
    'unsubscribed',
  );
});

test('a create halted by an empty mapped id is titled halted, sends nothing, and the trigger is still unsubscribed', async () => {
  const lines = await stoppedZap(
    {
      trigger: 'contact_created',
      create: 'add_tag_to_contact',
      map: { contact_id: '{{data__nothing}}', tag: 'vip' },
    },
    isHalt,
  );
  assert.deepEqual(titles(lines).slice(-2), ['Create: Add Tag to Contact: halted', 'Unsubscribe']);
  const halted = stepLines(lines, 'Create: Add Tag to Contact: halted');
  assert.ok(!halted.some((line) => /→ POST/.test(line)), 'nothing sent');
  assert.match(halted[halted.length - 1], /^ {3}halted: The Contact field is empty in this run/);
});

describe('npm run zap refuses up front', () => {
  const refused = async (options: Partial<ZapOptions> & { trigger: string }, message: RegExp) => {
    assert.deepEqual(await stoppedZap(options, message), [], 'nothing ran');
  };

  test('a --map of a field the create does not have, listing its fields', async () => {
    await refused(
      { trigger: 'contact_created', create: 'create_contact', map: { emial: '{{data__email}}' } },
      /--map emial: Create Contact \(create_contact\) has no such field\. Its fields: email, name, phone, company, status, tags, customFields, deduplication_key/,
    );
    // Only a dictionary field has entries.
    await refused(
      { trigger: 'contact_created', create: 'create_contact', map: { 'email.x': 'a' } },
      /--map email\.x: /,
    );
  });

  test('a --map without a create, listing each create with its fields', async () => {
    await refused(
      { trigger: 'contact_created', map: { email: '{{data__email}}' } },
      /--map needs a create to map into: .*send_message \(conversation_id, message, sender, deduplication_key\)/,
    );
  });

  test('a --filter the trigger does not have', async () => {
    await refused(
      { trigger: 'tag_added', filter: { tags: 'vip' } },
      /--filter tags: Tag Added to Conversation \(tag_added\) has no such field\. Its fields: tag/,
    );
    await refused({ trigger: 'contact_created', filter: { tag: 'vip' } }, /has no input fields/);
  });

  test("a plain-http --base-url the app itself would refuse (the app's own check)", async () => {
    await refused(
      {
        trigger: 'contact_created',
        baseUrl: 'http://10.1.2.3/api/zapier',
        receiverUrl: 'https://example.invalid/x',
        apiKey: 'chatting_live_x_aaaaaaaaaaaaaaaaaaaa',
      },
      /CHATTING_BASE_URL must use https for 10\.1\.2\.3: .*CHATTING_ALLOW_HTTP=1/,
    );
  });
});

describe('the relay', () => {
  afterEach(() => {
    delete process.env.CHATTING_ALLOW_HTTP;
  });

  test('applies the base-URL rule to where it forwards: https, loopback, or CHATTING_ALLOW_HTTP=1', async () => {
    await assert.rejects(startRecorder('http://10.1.2.3/api/zapier'), /must use https/);
    for (const target of ['https://chatting.test/api/zapier', 'http://127.0.0.1:9/api/zapier']) {
      const relay = await startRecorder(target);
      await relay.close();
    }
    process.env.CHATTING_ALLOW_HTTP = '1';
    const relay = await startRecorder('http://10.1.2.3/api/zapier');
    await relay.close();
  });
});

/**
 * A run's options against `deployment` (a mock of the test's): its API and admin API, the demo
 * key, and the local receiver on a free port.
 */
async function atDeployment(deployment: RunningMock) {
  const port = await freePort();
  return {
    baseUrl: `${deployment.base}/api/zapier`,
    adminUrl: `${deployment.base}/__admin`,
    receiverPort: port,
    receiverUrl: `http://127.0.0.1:${port}/hook`,
    apiKey: DEMO_KEYS.acme,
  };
}

describe('npm run zap --base-url', () => {
  test('runs against the given deployment and says it creates real records there; a team mock takes the admin token', async () => {
    // A mock started with an admin token, as a team mock is: the event needs it.
    const deployment = await startMock({
      delivery: { backoffMs: 20, attempts: 3, timeoutMs: 2000 },
      adminToken: 'team-token',
    });
    try {
      const target = await atDeployment(deployment);
      const { lines, result } = await zap({
        trigger: 'contact_created',
        ...target,
        adminToken: 'team-token',
      });
      assert.ok(lines.some((line) => line.includes('creates real records there')));
      assert.ok(titles(lines).includes('Event'), lines.join('\n'));
      const subscription = deployment.server.services.store.get(
        'subscriptions',
        result.subscription.id,
      );
      assert.equal(subscription?.target_url, target.receiverUrl);
      assert.equal(subscription?.active, false, 'unsubscribed at the end');
    } finally {
      await deployment.stop();
    }
  });

  test('an Event step the admin API refuses or never answers says which option to check', async () => {
    const deployment = await startMock({ adminToken: 'team-token' });
    const closed = await startMock();
    const deadAdmin = `${closed.base}/__admin`;
    await closed.stop();
    try {
      for (const [adminUrl, adminToken, expected] of [
        [
          deployment.base,
          'team-token',
          /answered 404: check --admin-url, a mock's admin API, ending in \/__admin/,
        ],
        [
          `${deployment.base}/__admin`,
          undefined,
          /answered 401: give the mock's admin token with --admin-token/,
        ],
        [deadAdmin, 'team-token', /got no answer \(ECONNREFUSED\): check --admin-url/],
      ] as const) {
        const lines = await stoppedZap({
          trigger: 'contact_created',
          ...(await atDeployment(deployment)),
          adminUrl,
          adminToken,
        });
        const failed = stepLines(lines, 'Event: failed');
        assert.equal(failed[1], `   contact.created made through POST ${adminUrl}/events {}`);
        assert.match(failed.at(-1) ?? '', expected);
      }
    } finally {
      await deployment.stop();
    }
  });

  test("a create whose connection the deployment drops: no answer, and the app's own message for it", async () => {
    const deployment = await startMock();
    try {
      await addFault(deployment, {
        method: 'POST',
        path: '/api/zapier/contacts',
        drop: true,
        times: 1,
      });
      const lines = await stoppedZap({
        trigger: 'contact_created',
        create: 'create_contact',
        map: { email: 'dropped@example.com' },
        ...(await atDeployment(deployment)),
      });
      const failed = stepLines(lines, 'Create: Create Contact: failed');
      assert.ok(
        failed.some((line) => /^ {3}← no answer {2}\(the relay could not reach http:/.test(line)),
        failed.join('\n'),
      );
      assert.ok(
        failed.some((line) =>
          /failed: The connection to Chatting broke before it answered .*may or may not have been saved/.test(
            line,
          ),
        ),
        failed.join('\n'),
      );
    } finally {
      await deployment.stop();
    }
  });

  test('a base URL without /api/zapier: the connection step shows GET /me → 404 and says to check the --base-url typed', async () => {
    const deployment = await startMock();
    try {
      // The mock's origin, not its API's base.
      const lines = await stoppedZap({
        trigger: 'contact_created',
        ...(await atDeployment(deployment)),
        baseUrl: deployment.base,
      });
      assert.deepEqual(titles(lines), ['Connection: failed']);
      const [, request, answer, failed] = stepLines(lines, 'Connection: failed');
      assert.equal(request, '   → GET /me');
      assert.match(answer, /^ {3}← 404 /);
      assert.match(failed, /^ {3}failed: The connection test could not reach Chatting's API/);
      // The app talked to the run's relay; the line names what the user typed instead.
      assert.ok(
        failed.includes(`at ${deployment.base}. Check that --base-url ends in /api/zapier.`),
        failed,
      );
      assert.doesNotMatch(failed, /mapped/);
    } finally {
      await deployment.stop();
    }
  });

  /**
   * A Zap run in process against a deployment (a mock of the test's) whose `slow.path` takes
   * `slow.delayMs` to answer (a fault rule), interrupted 300 ms after the step titled `after` is
   * printed; it must end Interrupted. The event is made through the deployment's admin API, or
   * (`madeEvent` false) waited for. What it printed, and the subscriptions it made there.
   */
  async function interruptedZap(
    run: { slow: { path: string; delayMs: number }; after: string; madeEvent: boolean },
    options: Partial<ZapOptions> & { trigger: string },
  ) {
    const { slow, after } = run;
    const deployment = await startMock({
      delivery: { backoffMs: 20, attempts: 3, timeoutMs: 2000 },
    });
    try {
      await addFault(deployment, { method: 'POST', path: slow.path, delay_ms: slow.delayMs });
      const target = await atDeployment(deployment);
      const interruption = new AbortController();
      const lines: string[] = [];
      const running = runZap(
        {
          map: {},
          filter: {},
          eventData: {},
          waitSeconds: 30,
          ...target,
          adminUrl: run.madeEvent ? target.adminUrl : undefined,
          ...options,
        },
        (line) => {
          lines.push(line);
          if (line.replace(/^\d+\. /, '') === after)
            setTimeout(() => interruption.abort(new Interrupted('SIGINT')), 300);
        },
        interruption.signal,
      );
      await assert.rejects(running, Interrupted);
      const made = deployment.server.services.store
        .all('subscriptions')
        .filter((subscription) => subscription.target_url === target.receiverUrl);
      return { lines, made };
    } finally {
      await deployment.stop();
    }
  }

  test('interrupted during the subscribe: the subscribe ends, no event is asked for, it is removed', async () => {
    const { lines, made } = await interruptedZap(
      {
        // Long beside the 300 ms before the interruption, for a busy machine's late timers.
        slow: { path: '/webhooks/subscribe', delayMs: 3000 },
        after: 'Connection',
        madeEvent: false,
      },
      { trigger: 'contact_created' },
    );
    assert.deepEqual(titles(lines), [
      'Connection',
      'Subscribe',
      'Event: interrupted',
      'Unsubscribe',
    ]);
    assert.ok(!lines.some((line) => /make it happen/.test(line)), lines.join('\n'));
    assert.equal(made.length, 1);
    assert.equal(made[0].active, false);
  });

  test('an interrupted create: its call is cut and printed under it, then only the unsubscribe runs', async () => {
    // The deployment takes its time over the contact, and the create starts after the trigger's
    // output: the interruption finds its call under way (or, on a busy machine, before it goes
    // out: then the relay refuses it).
    const { lines, made } = await interruptedZap(
      { slow: { path: '/contacts', delayMs: 1000 }, after: 'Trigger output', madeEvent: true },
      {
        trigger: 'contact_created',
        create: 'create_contact',
        map: { email: 'cut-{{data__email}}' },
      },
    );
    assert.deepEqual(titles(lines).slice(-2), [
      'Create: Create Contact: interrupted',
      'Unsubscribe',
    ]);
    const unsubscribeCalls = stepLines(lines, 'Unsubscribe').filter((line) => /→ /.test(line));
    assert.equal(unsubscribeCalls.length, 1, unsubscribeCalls.join('\n'));
    assert.match(unsubscribeCalls[0], /→ DELETE \/webhooks\//);
    const cut = stepLines(lines, 'Create: Create Contact: interrupted');
    assert.ok(
      cut.some((line) => /interrupted: SIGINT/.test(line)),
      cut.join('\n'),
    );
    // Its call, if it went out, was cut rather than waited for.
    assert.ok(!cut.some((line) => /← 2\d\d /.test(line)), cut.join('\n'));
    if (cut.some((line) => /→ POST \/contacts/.test(line)))
      assert.ok(
        cut.some((line) => /← 502 .*interrupted before/.test(line)),
        cut.join('\n'),
      );
    assert.ok(made.every((subscription) => !subscription.active));
  });

  /**
   * `command` running a Zap against a deployment (a mock of the test's) with no --admin-url, so
   * that it subscribes and then waits for a real event; resolves once it waits. Its own process
   * group, so that a signal can reach all of it as a terminal's Ctrl-C does.
   */
  async function waitingZap(command: string, args: string[]) {
    const deployment = await startMock();
    const port = await freePort();
    const hook = `http://127.0.0.1:${port}/hook`;
    const zapArgs = ['contact_created', '--base-url', `${deployment.base}/api/zapier`];
    zapArgs.push('--receiver-port', String(port), '--receiver-url', hook);
    zapArgs.push('--api-key', DEMO_KEYS.acme);
    const child = spawn(command, [...args, ...zapArgs], {
      cwd: REPO,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { stdout: '', stderr: '' };
    child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null)
        process.kill(-child.pid!, 'SIGKILL');
      await deployment.stop();
    };
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output.stdout += chunk.toString();
          if (/waiting up to \d+ s/.test(output.stdout)) resolve();
        });
        void exited.then(() =>
          reject(new Error(`the run ended first:\n${JSON.stringify(output)}`)),
        );
      });
    } catch (error) {
      await stop();
      throw error;
    }
    const subscription = () =>
      deployment.server.services.store
        .all('subscriptions')
        .find((made) => made.target_url === hook);
    assert.ok(subscription()?.active, 'subscribed while it waits');
    return { child, output, exited, subscription, stop };
  }

  test('Ctrl-C while it waits for a real event removes the subscription, then exits 130', async () => {
    const zap = await waitingZap(process.execPath, [...TSX, 'scripts/zap/cli.ts']);
    try {
      zap.child.kill('SIGINT');
      assert.equal(await zap.exited, 130, zap.output.stderr);
      assert.match(zap.output.stdout, /^\d+\. Delivery, as received: interrupted$/m);
      assert.match(zap.output.stdout, /^\d+\. Unsubscribe$/m);
      assert.match(zap.output.stderr, /The Zap was interrupted \(SIGINT\)/);
      assert.equal(zap.subscription()?.active, false, 'nothing left to post to a receiver gone');
    } finally {
      await zap.stop();
    }
  });

  test('npm run zap: SIGTERM to its process group ends npm only after the unsubscribe', async () => {
    // npm passes the signal on to the run as well: one interruption, not a second (which would
    // exit at once), and npm, waiting for the run, reports it only once it has ended.
    const zap = await waitingZap('npm', ['run', '--silent', 'zap', '--']);
    try {
      process.kill(-zap.child.pid!, 'SIGTERM');
      assert.equal(await zap.exited, 143, zap.output.stderr);
      assert.equal(zap.subscription()?.active, false, 'removed before npm returned');
      assert.doesNotMatch(zap.output.stderr, /again/);
    } finally {
      await zap.stop();
    }
  });

  test('without --receiver-url it refuses to start', async () => {
    await assert.rejects(
      zap({ trigger: 'contact_created', baseUrl: 'https://chatting.test/api/zapier' }),
      /--receiver-url/,
    );
  });
});

describe('the zap command line', () => {
  test('parses a trigger, a create, maps and filters', () => {
    assert.deepEqual(
      parseZapArgs([
        'tag_added',
        'send_message',
        '--map',
        'message=Hi {{data__tag}}',
        '--map',
        'conversation_id={{data__conversation_id}}',
        '--filter',
        'tag=vip',
      ]),
      {
        trigger: 'tag_added',
        create: 'send_message',
        map: { message: 'Hi {{data__tag}}', conversation_id: '{{data__conversation_id}}' },
        filter: { tag: 'vip' },
        eventData: {},
        baseUrl: undefined,
        adminUrl: undefined,
        adminToken: undefined,
        receiverUrl: undefined,
        receiverPort: undefined,
        apiKey: undefined,
        waitSeconds: 30,
      },
    );
    assert.throws(() => parseZapArgs([]), /give a trigger/);
    assert.throws(() => parseZapArgs(['contact_created', 'x', '--map', 'nofield']), /<field>=/);
  });

  test('runs a Zap and prints each step', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        ...TSX,
        'scripts/zap/cli.ts',
        'contact_created',
        'add_tag_to_contact',
        '--map',
        'contact_id={{data__contact_id}}',
        '--map',
        'tag=zap',
      ],
      { cwd: REPO, timeout: 90_000 },
    );
    for (const step of [
      'Connection',
      'Subscribe',
      'Event',
      'Delivery',
      'Trigger output',
      'Create',
      'Unsubscribe',
    ])
      assert.match(stdout, new RegExp(`^\\d+\\. ${step}`, 'm'));
    assert.match(stdout, /→ POST \/contacts\/contact_[0-9a-f]+\/tags {2}\{"tag":"zap"\}/);
    assert.doesNotMatch(stdout, /RSSMEM/, 'no memory figures from the app tester');
    assert.match(stdout, /Zap ran through\.$/m);
  });
});

describe('{{…}} mapping', () => {
  const output = {
    id: 'e1',
    data__tags: ['a', 'b'],
    data: { tags: ['a', 'b'], visitor_email: 'v@example.com', assigned_to: null },
  };

  test('flattens nested fields with __, as the editor lists them', () => {
    assert.deepEqual(flatten(output), {
      id: 'e1',
      data__tags: ['a', 'b'],
      data__visitor_email: 'v@example.com',
      data__assigned_to: null,
    });
  });

  test('fills placeholders; a lone list placeholder stays a list, in text it is joined', () => {
    const fields = flatten(output);
    assert.equal(render('To {{data__visitor_email}}', fields), 'To v@example.com');
    assert.deepEqual(render('{{data__tags}}', fields), ['a', 'b']);
    assert.equal(render('tags: {{ data__tags }}', fields), 'tags: a,b');
    assert.equal(render('[{{data__assigned_to}}{{missing}}]', fields), '[]');
  });

  test('dictionary entries and list fields', () => {
    assert.deepEqual(
      mapInput(
        { 'customFields.x': '{{id}}', tags: 'one', email: '{{data__visitor_email}}' },
        output,
        new Set(['tags']),
      ),
      { customFields: { x: 'e1' }, tags: ['one'], email: 'v@example.com' },
    );
  });
});
