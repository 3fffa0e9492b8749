/**
 * npm run zap -- <trigger> [<create> --map field='{{data__visitor_email}}' …] [--filter tag=vip]
 *
 * Runs one Zap locally and prints each step (see run.ts). Exit code 0 when every step passed.
 */
import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import type { ZapOptions } from './run';

const HELP = `Usage: npm run zap -- <trigger> [<create>] [options]

Runs a whole Zap locally with the compiled app: subscribes <trigger> with a local receiver as
its hook URL, makes the event happen, runs the trigger on the delivery as received, maps its
output into <create> as Zapier's {{…}} templates do, runs the create, and unsubscribes.
By default against a mock of its own (in memory, on 127.0.0.1, the demo workspace).

Options:
  --map <field>=<template>   a field of the create, e.g. email='{{data__visitor_email}}';
                             <dict>.<key>=… fills a dictionary field (customFields.crm_owner=…)
  --filter <field>=<value>   an input field of the trigger, e.g. tag=vip (Tag Added); it is
                             also given to the event the run makes
  --event <field>=<value>    a field of the event to make (POST /__admin/events data), e.g.
                             conversation_id=conv_124
  --base-url <url>           a deployment's API (…/api/zapier) instead of the mock: creates
                             real records there; needs --receiver-url and an API key
  --receiver-url <url>       a public URL that forwards to the local receiver
  --receiver-port <n>        the local receiver's port (default: any free one)
  --api-key <key>            the API key (default: CHATTING_API_KEY; the demo key for the mock)
  --admin-url <url>          the deployment's admin API (a mock elsewhere): makes the event
                             there; without it the run waits for a real event
  --admin-token <token>      that admin API's token, for a mock started with one (default:
                             CHATTING_ADMIN_TOKEN)
  --wait <seconds>           how long to wait for the delivery (default 30; 600 without
                             --admin-url at a deployment)
  --help                     this text
`;

function pairs(values: string[] | undefined, flag: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values ?? []) {
    const equals = value.indexOf('=');
    if (equals <= 0) throw new Error(`${flag} takes <field>=<value>, not "${value}"`);
    result[value.slice(0, equals)] = value.slice(equals + 1);
  }
  return result;
}

export function parseZapArgs(argv: string[]): ZapOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      map: { type: 'string', multiple: true },
      filter: { type: 'string', multiple: true },
      event: { type: 'string', multiple: true },
      'base-url': { type: 'string' },
      'receiver-url': { type: 'string' },
      'receiver-port': { type: 'string' },
      'api-key': { type: 'string' },
      'admin-url': { type: 'string' },
      'admin-token': { type: 'string' },
      wait: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const [trigger, create, ...rest] = positionals;
  if (!trigger || rest.length > 0) throw new Error('give a trigger, and at most one create');
  // A --map without a create, or of a field the create lacks, is refused by runZap, which
  // has the app to list the fields.
  const map = pairs(values.map, '--map');
  const baseUrl = values['base-url'];
  const waitsForReal = baseUrl !== undefined && values['admin-url'] === undefined;
  const wait = Number(values.wait ?? (waitsForReal ? 600 : 30));
  if (!Number.isFinite(wait) || wait <= 0) throw new Error('--wait takes a number of seconds');
  const port = values['receiver-port'] === undefined ? undefined : Number(values['receiver-port']);
  if (port !== undefined && !Number.isInteger(port))
    throw new Error('--receiver-port takes a port');
  return {
    trigger,
    create,
    map,
    filter: pairs(values.filter, '--filter'),
    eventData: pairs(values.event, '--event'),
    baseUrl,
    adminUrl: values['admin-url'],
    adminToken:
      values['admin-token'] ?? (values['admin-url'] ? process.env.CHATTING_ADMIN_TOKEN : undefined),
    receiverUrl: values['receiver-url'],
    receiverPort: port,
    apiKey: values['api-key'] ?? (baseUrl ? process.env.CHATTING_API_KEY : undefined),
    waitSeconds: wait,
  };
}

async function main(): Promise<void> {
  let options: ZapOptions | 'help';
  try {
    options = parseZapArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return;
  }
  // zapier-platform-core prints memory figures on every call unless it runs under a test runner;
  // as under one, it then also fails a step whose output breaks Zapier's checks, as the CLI does.
  // Set before the core is loaded: it reads this once.
  process.env.NODE_ENV = 'test';
  const { Interrupted, isHalt, runZap, stepFailure } = await import('./run.js');
  // Ctrl-C stops the step under way and removes the subscription before the run ends: against a
  // deployment, one left behind would go on posting every event to a receiver that is gone. A
  // second Ctrl-C, a second or more after the first, exits at once.
  const interruption = new AbortController();
  let interruptedAt = 0;
  const interrupt = (signal: NodeJS.Signals) => {
    if (interruption.signal.aborted) {
      // npm passes on the signal a Ctrl-C (or a kill of the process group) already sent here:
      // within a second, the same interruption, not a second one.
      if (performance.now() - interruptedAt < 1000) return;
      process.stderr.write(`${signal} again: exiting without removing the subscription\n`);
      process.exit(128 + constants.signals[signal]);
    }
    interruptedAt = performance.now();
    process.stderr.write(`${signal}: stopping; the subscription, if made, is removed first\n`);
    interruption.abort(new Interrupted(signal));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  let started = false;
  try {
    await runZap(
      options,
      (line) => {
        started = true;
        process.stdout.write(`${line}\n`);
      },
      interruption.signal,
    );
    // A signal during the last step (the unsubscribe, never cut short) still ends it interrupted.
    interruption.signal.throwIfAborted();
    process.stdout.write('Zap ran through.\n');
  } catch (error) {
    if (!(error instanceof Interrupted)) {
      // A refusal before the run (an unknown field, an http base URL) prints no step.
      const stopped = isHalt(error)
        ? 'The Zap was halted (in Zapier, a halted run is no error against the Zap)'
        : 'The Zap stopped';
      process.stderr.write(
        `${started ? stopped : 'The Zap did not start'}: ${stepFailure(error)}\n`,
      );
      process.exitCode = 1;
    }
    // Interrupted in a step, or while a failed run removed its subscription: the signal's code,
    // as a shell reports a command a signal ended.
    const interrupted = interruption.signal.reason as InstanceType<typeof Interrupted> | undefined;
    if (interrupted) {
      process.stderr.write(`The Zap was interrupted (${interrupted.signal})\n`);
      process.exitCode = 128 + constants.signals[interrupted.signal];
    }
  }
}

if (require.main === module) void main();
