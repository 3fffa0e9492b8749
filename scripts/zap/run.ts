/**
 * One Zap, run locally: the app's trigger is subscribed with a local receiver as its hook URL,
 * the event happens (through the mock's admin API, or for real at a deployment), the delivery
 * as received is fed to the trigger's perform as Zapier would, the trigger's output is mapped
 * into a create through `{{…}}` templates, the create runs, and the trigger is unsubscribed.
 * Every step is printed, with each API call the app made for it.
 *
 * The app is the compiled one (index.js), run by zapier-platform-core's app tester: the same
 * code Zapier runs.
 */
import path from 'node:path';
import { createAppTester, type Bundle, type ZObject } from 'zapier-platform-core';
import type AppSource from '../../src/index';
import { createServer, type MockServer } from '../../mock-server/server';
import { DEMO_KEYS } from '../../mock-server/store/seed';
import { startHookReceiver, type Delivery, type HookReceiver } from './receiver';
import { startRecorder, type Exchange, type Recorder } from './recorder';
import { mapInput, flatten, unknownFields } from './template';

export interface ZapOptions {
  trigger: string;
  create?: string;
  /** The create's fields: field → template (`{{data__visitor_email}}`). */
  map: Record<string, string>;
  /** The trigger's own input fields (such as Tag Added's `tag`). */
  filter: Record<string, string>;
  /** Fields of the event to make (POST /__admin/events `data`); the filter's fill in the rest. */
  eventData: Record<string, unknown>;
  /** A deployment's API base URL (…/api/zapier); absent: a mock of our own. */
  baseUrl?: string;
  /** The deployment's admin API (a mock elsewhere); absent with baseUrl: wait for a real event. */
  adminUrl?: string;
  /** Where a deployment reaches the local receiver (a tunnel to receiverPort). */
  receiverUrl?: string;
  receiverPort?: number;
  apiKey?: string;
  /** How long to wait for the delivery. */
  waitSeconds: number;
}

export interface ZapRun {
  subscription: { id: string; event: string };
  delivery: Delivery;
  triggerOutput: Record<string, unknown>[];
  createInput?: Record<string, unknown>;
  createOutput?: Record<string, unknown>;
  /** Every API call of the run, in order. */
  exchanges: Exchange[];
  unsubscribed: boolean;
}

type Operation = (z: ZObject, bundle: Bundle) => unknown;
interface Item {
  display: { label: string };
  operation: Record<string, unknown> & { inputFields?: { key: string; list?: boolean }[] };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the built app, as Zapier loads it
const loadApp = () => require(path.join(__dirname, '..', '..', 'index.js')) as typeof AppSource;

/** The admin API base of a mock at `base`. */
const adminOf = (base: string) => `${base}/__admin`;

function shown(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** A line per API call, with the key masked and the headers that matter to the step. */
export function describeExchange(exchange: Exchange): string[] {
  const key = exchange.requestHeaders['idempotency-key'];
  const replayed = exchange.answerHeaders['idempotent-replayed'];
  return [
    `→ ${exchange.method} ${exchange.path}${key ? `  Idempotency-Key: ${key}` : ''}${
      exchange.requestBody ? `  ${shown(exchange.requestBody)}` : ''
    }`,
    `← ${exchange.status}${replayed ? ' (replayed)' : ''}  ${shown(exchange.answerBody)}`,
  ];
}

/** What a failed step says: a Zapier error's message (its JSON's), or the error's first line. */
export function stepFailure(error: unknown): string {
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  try {
    const parsed = JSON.parse(first) as { message?: unknown; code?: unknown };
    if (typeof parsed.message === 'string')
      return typeof parsed.code === 'string'
        ? `${parsed.message} [${parsed.code}]`
        : parsed.message;
  } catch {
    // not JSON: a plain message
  }
  return first;
}

export async function runZap(options: ZapOptions, print: (line: string) => void): Promise<ZapRun> {
  const App = loadApp();
  const triggers = App.triggers as unknown as Record<string, Item>;
  const creates = App.creates as unknown as Record<string, Item>;
  const trigger = triggers[options.trigger];
  if (!trigger || trigger.operation.type !== 'hook')
    throw new Error(
      `unknown trigger "${options.trigger}"; the app's are: ${Object.keys(triggers)
        .filter((k) => triggers[k].operation.type === 'hook')
        .join(', ')}`,
    );
  const create = options.create ? creates[options.create] : undefined;
  if (options.create && !create)
    throw new Error(
      `unknown create "${options.create}"; the app's are: ${Object.keys(creates).join(', ')}`,
    );
  if (options.baseUrl && !options.receiverUrl)
    throw new Error(
      '--base-url needs --receiver-url: a public URL that reaches the local receiver (--receiver-port), since a deployment cannot post to 127.0.0.1',
    );

  const appTester = createAppTester(App);
  const operation = (item: Item, name: string) => item.operation[name] as Operation;
  const cleanup: (() => Promise<void>)[] = [];
  let mock: MockServer | undefined;
  let recorder: Recorder | undefined;
  let receiver: HookReceiver | undefined;
  const savedBase = process.env.CHATTING_BASE_URL;
  const steps = { n: 0 };
  const step = (title: string, lines: string[]) => {
    steps.n += 1;
    print(`${steps.n}. ${title}`);
    for (const line of lines) print(`   ${line}`);
  };
  let seen = 0;
  const calls = () => {
    const fresh = recorder ? recorder.exchanges.slice(seen) : [];
    seen += fresh.length;
    return fresh.flatMap(describeExchange);
  };

  try {
    let base = options.baseUrl?.replace(/\/+$/, '');
    let admin = options.adminUrl?.replace(/\/+$/, '');
    if (!base) {
      // Our own mock: in memory (no data file), on an ephemeral loopback port, fast retries.
      mock = await createServer({ delivery: { backoffMs: 50, attempts: 3, timeoutMs: 5000 } });
      const origin = await mock.app.listen({ port: 0, host: '127.0.0.1' });
      const running = mock;
      cleanup.push(() => running.close());
      base = `${origin}/api/zapier`;
      admin = adminOf(origin);
    }
    const apiKey = options.apiKey ?? (options.baseUrl ? undefined : DEMO_KEYS.acme);
    if (!apiKey) throw new Error('--base-url needs an API key: --api-key or CHATTING_API_KEY');

    print(
      `Zap: ${trigger.display.label} (${options.trigger})${
        create ? ` → ${create.display.label} (${options.create})` : ''
      }`,
    );
    print(
      options.baseUrl
        ? `Chatting API: ${base}. This run creates real records there: a webhook subscription${
            admin ? ', the event' : ''
          }${create ? ' and what the create makes' : ''}.`
        : `Chatting API: a mock of its own at ${base} (in memory, demo data; nothing is kept).`,
    );

    recorder = await startRecorder(base);
    const relay = recorder;
    cleanup.push(() => relay.close());
    process.env.CHATTING_BASE_URL = recorder.base;
    receiver = await startHookReceiver(options.receiverPort ?? 0);
    const hook = receiver;
    cleanup.push(() => hook.close());
    const targetUrl = options.receiverUrl ?? receiver.url;
    const authData = { api_key: apiKey };

    const me = (await appTester(App.authentication?.test as Operation, { authData })) as Record<
      string,
      string
    >;
    step('Connection', [
      `${me.team_name} (${me.owner_email}), workspace ${me.workspace_id}`,
      ...calls(),
    ]);

    const triggerInput = { ...options.filter };
    const subscription = (await appTester(operation(trigger, 'performSubscribe'), {
      authData,
      inputData: triggerInput,
      targetUrl,
    })) as { id: string; event: string };
    step('Subscribe', [
      `hook URL ${targetUrl}${options.receiverUrl ? ` (→ ${receiver.url})` : ''}`,
      ...calls(),
    ]);

    const unsubscribe = async () => {
      await appTester(operation(trigger, 'performUnsubscribe'), {
        authData,
        inputData: triggerInput,
        subscribeData: subscription,
      });
      step('Unsubscribe', calls());
    };
    let unsubscribed = false;
    try {
      const { event } = subscription;
      if (admin) {
        const data = { ...options.filter, ...options.eventData };
        const answer = await fetch(`${admin}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ workspace_id: me.workspace_id, event, data }),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await answer.text();
        if (answer.status !== 201)
          throw new Error(`POST ${admin}/events answered ${answer.status}: ${text}`);
        const { deliveries } = JSON.parse(text) as { deliveries: number };
        step('Event', [
          `${event} made through POST /__admin/events ${JSON.stringify(data)}: ${deliveries} delivery`,
        ]);
      } else {
        step('Event', [
          `waiting up to ${options.waitSeconds} s for a real ${event} in ${me.team_name}: make it happen in Chatting now`,
        ]);
      }

      const delivery = await receiver.next(options.waitSeconds * 1000);
      step('Delivery, as received', [
        `${delivery.method} ${delivery.path}  content-type: ${delivery.headers['content-type'] ?? '(none)'}`,
        shown(delivery.text),
      ]);

      // What Zapier hands perform: the parsed JSON body, plus the hook URL's query string.
      let body: unknown;
      try {
        body = JSON.parse(delivery.text) as unknown;
      } catch {
        body = {};
      }
      const cleanedRequest = { ...(body as object), querystring: delivery.query };
      const triggerOutput = (await appTester(operation(trigger, 'perform'), {
        authData,
        inputData: triggerInput,
        cleanedRequest,
      })) as Record<string, unknown>[];
      step(
        `Trigger output (${triggerOutput.length} result${triggerOutput.length === 1 ? '' : 's'})`,
        [
          ...triggerOutput.map((result) => JSON.stringify(result)),
          ...(triggerOutput.length === 0
            ? ['the trigger let this event pass: the Zap stops here']
            : []),
        ],
      );

      const run: ZapRun = { subscription, delivery, triggerOutput, exchanges: [], unsubscribed };
      if (create && options.create && triggerOutput.length > 0) {
        const fields = flatten(triggerOutput[0]);
        const missing = Object.values(options.map).flatMap((t) => unknownFields(t, fields));
        const lists = new Set(
          (create.operation.inputFields ?? []).filter((f) => f.list).map((f) => f.key),
        );
        const inputData = mapInput(options.map, triggerOutput[0], lists);
        run.createInput = inputData;
        run.createOutput = (await appTester(operation(create, 'perform'), {
          authData,
          inputData,
        })) as Record<string, unknown>;
        step(`Create: ${create.display.label}`, [
          `input ${JSON.stringify(inputData)}`,
          ...(missing.length > 0
            ? [`not in the trigger's output (left empty): ${missing.join(', ')}`]
            : []),
          ...calls(),
          `output ${JSON.stringify(run.createOutput)}`,
        ]);
      }
      await unsubscribe();
      unsubscribed = true;
      return { ...run, unsubscribed, exchanges: [...recorder.exchanges] };
    } catch (error) {
      step('Stopped', [stepFailure(error), ...calls()]);
      throw error;
    } finally {
      if (!unsubscribed)
        await unsubscribe().catch((error: Error) =>
          print(`   unsubscribe failed: ${error.message}`),
        );
    }
  } finally {
    if (savedBase === undefined) delete process.env.CHATTING_BASE_URL;
    else process.env.CHATTING_BASE_URL = savedBase;
    for (const close of cleanup.reverse()) await close();
  }
}
