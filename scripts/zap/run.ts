/**
 * One Zap, run locally: the app's trigger is subscribed with a local receiver as its hook URL,
 * the event happens (through the mock's admin API, or for real at a deployment), the delivery
 * as received is fed to the trigger's perform as Zapier would, the trigger's output is mapped
 * into a create through `{{…}}` templates, the create runs, and the trigger is unsubscribed.
 * Every step is printed with each API call the app made for it, a failing step too (with why).
 * A --map or --filter of a field the create or trigger lacks is refused before anything starts.
 *
 * The app is the compiled one (index.js), run by zapier-platform-core's app tester: the same
 * code Zapier runs.
 */
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createAppTester, type Bundle, type ZObject } from 'zapier-platform-core';
import type AppSource from '../../src/index';
import { createServer, type MockServer } from '../../mock-server/server';
import { DEMO_KEYS } from '../../mock-server/store/seed';
import { startHookReceiver, type Delivery, type HookReceiver } from './receiver';
import { fetchFailure, startRecorder, type Exchange, type Recorder } from './recorder';
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
  /** That admin API's token, for a mock started with one (a team mock). */
  adminToken?: string;
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
interface Field {
  key: string;
  list?: boolean;
  dict?: boolean;
}
interface Item {
  display: { label: string };
  operation: Record<string, unknown> & { inputFields?: Field[] };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the built app, as Zapier loads it
const loadApp = () => require(path.join(__dirname, '..', '..', 'index.js')) as typeof AppSource;

/** What --admin-url must be, for a refusal that may come of a wrong one. */
const ADMIN_URL_RULE =
  "check --admin-url, a mock's admin API, ending in /__admin (http://127.0.0.1:3000/__admin)";

/**
 * POST /__admin/events at `eventsUrl`: how many subscriptions the event was delivered to. A
 * refusal or no answer names the option to check (the admin API's address, its token).
 */
async function makeEvent(
  eventsUrl: string,
  body: { workspace_id: string; event: string; data: Record<string, unknown> },
  options: ZapOptions,
  interruption: AbortSignal | undefined,
): Promise<number> {
  const timeout = AbortSignal.timeout(30_000);
  const answer = await fetch(eventsUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.adminToken ? { 'x-admin-token': options.adminToken } : {}),
    },
    body: JSON.stringify(body),
    signal: interruption ? AbortSignal.any([timeout, interruption]) : timeout,
  }).catch((error: Error) => {
    if (interruption?.aborted) throw error;
    throw new Error(`POST ${eventsUrl} got no answer (${fetchFailure(error)}): ${ADMIN_URL_RULE}`, {
      cause: error,
    });
  });
  const text = await answer.text();
  if (answer.status !== 201) {
    const hint =
      answer.status === 401
        ? ": give the mock's admin token with --admin-token (or CHATTING_ADMIN_TOKEN)"
        : answer.status === 404 && options.adminUrl
          ? `: ${ADMIN_URL_RULE}`
          : '';
    throw new Error(`POST ${eventsUrl} answered ${answer.status}${hint}: ${text}`);
  }
  return (JSON.parse(text) as { deliveries: number }).deliveries;
}

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
    exchange.status === null
      ? `← no answer  (${exchange.answerBody})`
      : `← ${exchange.status}${replayed ? ' (replayed)' : ''}  ${shown(exchange.answerBody)}`,
  ];
}

/**
 * A step that halted the run (`z.errors.HaltedError`: a precondition unmet, such as an empty
 * mapped id) rather than failed: Zapier stops the run without counting an error against the Zap.
 */
export function isHalt(error: unknown): boolean {
  return error instanceof Error && error.name === 'HaltedError';
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

/**
 * What the app says of the API, in the terms of this run: the app talks to the recorder's relay,
 * so its messages name the relay's address where the user gave the deployment's, and the
 * variable the run set (CHATTING_BASE_URL) where the user typed --base-url.
 */
function inTermsOfTarget(text: string, relay: string, base: string, options: ZapOptions): string {
  const named = text.replaceAll(relay, base);
  return options.baseUrl ? named.replaceAll('CHATTING_BASE_URL', '--base-url') : named;
}

/** The input field keys of a trigger or create, as the Zap editor shows them. */
const fieldKeys = (item: Item) => (item.operation.inputFields ?? []).map((field) => field.key);

/**
 * Refuses, before anything starts, a --map or --filter the Zap editor could not have: a field
 * the create or trigger does not have, or a --map without a create. Each message lists the keys.
 */
function checkFields(
  options: ZapOptions,
  trigger: Item,
  creates: Record<string, Item>,
  create: Item | undefined,
): void {
  const targets = Object.keys(options.map);
  if (!create && targets.length > 0)
    throw new Error(
      `--map needs a create to map into: name one after the trigger. The app's creates and their fields: ${Object.entries(
        creates,
      )
        .map(([key, item]) => `${key} (${fieldKeys(item).join(', ')})`)
        .join('; ')}`,
    );
  if (create) {
    const fields = create.operation.inputFields ?? [];
    const wrong = targets.filter((target) => {
      const dot = target.indexOf('.');
      const field = fields.find((f) => f.key === (dot < 0 ? target : target.slice(0, dot)));
      // `dict.key=` fills one entry of a dictionary field; no other field has entries.
      return !field || (dot >= 0 && !field.dict);
    });
    if (wrong.length > 0)
      throw new Error(
        `--map ${wrong.join(', ')}: ${create.display.label} (${options.create}) has no such field. Its fields: ${fieldKeys(create).join(', ')}${
          fields.some((f) => f.dict) ? ` (a dictionary field takes <field>.<key>=…)` : ''
        }`,
      );
  }
  const filterKeys = fieldKeys(trigger);
  const unknownFilters = Object.keys(options.filter).filter((key) => !filterKeys.includes(key));
  if (unknownFilters.length > 0)
    throw new Error(
      `--filter ${unknownFilters.join(', ')}: ${trigger.display.label} (${options.trigger}) ${
        filterKeys.length > 0
          ? `has no such field. Its fields: ${filterKeys.join(', ')}`
          : 'has no input fields'
      }`,
    );
}

/**
 * Why a run was interrupted (Ctrl-C): the reason its `interruption` signal aborts with. The step
 * under way stops, then the subscription, if one was made, is removed as after a failed step.
 */
export class Interrupted extends Error {
  override name = 'Interrupted';
  constructor(readonly signal: NodeJS.Signals) {
    super(signal);
  }
}

/**
 * `work`, unless `interruption` aborts first: then its reason (an Error: `Interrupted`, or the
 * DOM's AbortError).
 */
function unlessInterrupted<T>(work: Promise<T>, interruption: AbortSignal | undefined): Promise<T> {
  if (!interruption) return work;
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(interruption.reason as Error);
    interruption.addEventListener('abort', stop, { once: true });
    if (interruption.aborted) stop();
    work.then(resolve, reject).finally(() => interruption.removeEventListener('abort', stop));
  });
}

export async function runZap(
  options: ZapOptions,
  print: (line: string) => void,
  interruption?: AbortSignal,
): Promise<ZapRun> {
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
  checkFields(options, trigger, creates, create);
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
  /**
   * One step: `context` (what it starts from), its API calls, then what came of it. A step
   * that fails prints the same, with why, and the run stops. An interruption stops a step where
   * it is: its requests under way are aborted and those it still makes refused (a request
   * already sent may still have been carried out), and it is printed with them once they are.
   * The subscription's own two steps (`whole`) are never cut short: a subscribe cut short could
   * leave one that nothing removes, so it ends first, and the step after it stops instead.
   */
  const runStep = async <T>(
    title: string,
    context: string[],
    action: () => Promise<T>,
    outcome: (result: T) => string[],
    whole = false,
  ): Promise<T> => {
    let result: T;
    try {
      if (whole) {
        recorder?.resume();
        result = await action();
      } else {
        interruption?.throwIfAborted();
        const acting = action();
        try {
          result = await unlessInterrupted(acting, interruption);
        } catch (error) {
          if (error instanceof Interrupted) {
            recorder?.interrupt();
            // Its cut calls settle at once; the bound is for a step that waits on nothing of ours.
            await Promise.race([acting.catch(() => undefined), delay(2000, null, { ref: false })]);
          }
          throw error;
        }
      }
    } catch (error) {
      if (error instanceof Error && recorder && base) {
        error.message = inTermsOfTarget(error.message, recorder.base, base, options);
      }
      const ending = isHalt(error)
        ? 'halted'
        : error instanceof Interrupted
          ? 'interrupted'
          : 'failed';
      step(`${title}: ${ending}`, [...context, ...calls(), `${ending}: ${stepFailure(error)}`]);
      throw error;
    }
    step(title, [...context, ...calls(), ...outcome(result)]);
    return result;
  };

  let base = options.baseUrl?.replace(/\/+$/, '');
  try {
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
    // Refuses a base URL the app would refuse, before anything is sent.
    recorder = await startRecorder(base);
    const relay = recorder;
    cleanup.push(() => relay.close());

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

    process.env.CHATTING_BASE_URL = recorder.base;
    receiver = await startHookReceiver(options.receiverPort ?? 0);
    const hook = receiver;
    cleanup.push(() => hook.close());
    const targetUrl = options.receiverUrl ?? receiver.url;
    const authData = { api_key: apiKey };

    const me = await runStep(
      'Connection',
      [],
      async () =>
        (await appTester(App.authentication?.test as Operation, { authData })) as Record<
          string,
          string
        >,
      (answer) => [`${answer.team_name} (${answer.owner_email}), workspace ${answer.workspace_id}`],
    );

    const triggerInput = { ...options.filter };
    const subscription = await runStep(
      'Subscribe',
      [`hook URL ${targetUrl}${options.receiverUrl ? ` (→ ${hook.url})` : ''}`],
      async () =>
        (await appTester(operation(trigger, 'performSubscribe'), {
          authData,
          inputData: triggerInput,
          targetUrl,
        })) as { id: string; event: string },
      () => [],
      true,
    );

    const unsubscribe = () =>
      runStep(
        'Unsubscribe',
        [],
        () =>
          appTester(operation(trigger, 'performUnsubscribe'), {
            authData,
            inputData: triggerInput,
            subscribeData: subscription,
          }),
        () => [],
        true,
      );
    let run: ZapRun;
    try {
      const { event } = subscription;
      if (admin) {
        const data = { ...options.filter, ...options.eventData };
        const eventsUrl = `${admin}/events`;
        await runStep(
          'Event',
          [`${event} made through POST ${eventsUrl} ${JSON.stringify(data)}`],
          () =>
            makeEvent(
              eventsUrl,
              { workspace_id: me.workspace_id, event, data },
              options,
              interruption,
            ),
          (deliveries) => [`${deliveries} ${deliveries === 1 ? 'delivery' : 'deliveries'}`],
        );
      } else if (interruption?.aborted) {
        // Interrupted during the subscribe: no call to make an event now.
        step('Event: interrupted', [`interrupted: ${stepFailure(interruption.reason)}`]);
        throw interruption.reason as Error;
      } else {
        step('Event', [
          `waiting up to ${options.waitSeconds} s for a real ${event} in ${me.team_name}: make it happen in Chatting now`,
        ]);
      }

      const delivery = await runStep(
        'Delivery, as received',
        [],
        () => hook.next(options.waitSeconds * 1000, interruption),
        (received) => [
          `${received.method} ${received.path}  content-type: ${received.headers['content-type'] ?? '(none)'}`,
          shown(received.text),
        ],
      );

      // What Zapier hands perform: the parsed JSON body, plus the hook URL's query string.
      let body: unknown;
      try {
        body = JSON.parse(delivery.text) as unknown;
      } catch {
        body = {};
      }
      const cleanedRequest = { ...(body as object), querystring: delivery.query };
      const filters = Object.entries(options.filter).map(([key, value]) => `${key}=${value}`);
      const triggerOutput = await runStep(
        'Trigger output',
        [],
        async () =>
          (await appTester(operation(trigger, 'perform'), {
            authData,
            inputData: triggerInput,
            cleanedRequest,
          })) as Record<string, unknown>[],
        (results) => [
          `${results.length} result${results.length === 1 ? '' : 's'}`,
          ...results.map((result) => JSON.stringify(result)),
          ...(results.length === 0
            ? [
                `the trigger filtered this event out${
                  filters.length > 0 ? ` (${filters.join(', ')})` : ''
                }: the Zap stops here, as it would on Zapier`,
              ]
            : []),
        ],
      );

      run = { subscription, delivery, triggerOutput, exchanges: [], unsubscribed: false };
      if (create && triggerOutput.length > 0) {
        const fields = flatten(triggerOutput[0]);
        const missing = Object.values(options.map).flatMap((t) => unknownFields(t, fields));
        const lists = new Set(
          (create.operation.inputFields ?? []).filter((f) => f.list).map((f) => f.key),
        );
        const inputData = mapInput(options.map, triggerOutput[0], lists);
        run.createInput = inputData;
        run.createOutput = await runStep(
          `Create: ${create.display.label}`,
          [
            `input ${JSON.stringify(inputData)}`,
            ...(missing.length > 0
              ? [`not in the trigger's output (left empty): ${missing.join(', ')}`]
              : []),
          ],
          async () =>
            (await appTester(operation(create, 'perform'), { authData, inputData })) as Record<
              string,
              unknown
            >,
          (output) => [`output ${JSON.stringify(output)}`],
        );
      }
    } catch (error) {
      // Always unsubscribed, even when a step failed; its own failure is printed as its step.
      await unsubscribe().catch(() => undefined);
      throw error;
    }
    await unsubscribe();
    return { ...run, unsubscribed: true, exchanges: [...relay.exchanges] };
  } finally {
    if (savedBase === undefined) delete process.env.CHATTING_BASE_URL;
    else process.env.CHATTING_BASE_URL = savedBase;
    for (const close of cleanup.reverse()) await close();
  }
}
