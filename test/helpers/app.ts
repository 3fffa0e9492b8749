/** The Zapier app as Zapier loads it (the top-level index.js, i.e. the compiled dist/). */
import { createAppTester, type Bundle, type ZObject } from 'zapier-platform-core';
import type AppSource from '../../src/index';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the built app, as Zapier loads it
export const App = require('../../index.js') as typeof AppSource;
export const appTester = createAppTester(App);

/** An operation function of the app, as the app tester runs it. */
export type Operation = (z: ZObject, bundle: Bundle) => unknown;
type Items = Record<string, { operation: Record<string, unknown> }>;

/** A trigger's function: perform, performList, performSubscribe or performUnsubscribe. */
export function triggerOperation(key: string, name = 'perform'): Operation {
  return (App.triggers as unknown as Items)[key].operation[name] as Operation;
}

/** A create's perform. */
export function createPerform(key: string): Operation {
  return (App.creates as unknown as Items)[key].operation.perform as Operation;
}

/** The authentication test (GET /me). */
export const authTest = App.authentication?.test as Operation;

/**
 * What a Zapier error carries: z.errors.Error and ThrottledError put {message, code, status} or
 * {message, delay} as JSON in their message (the app tester appends context lines).
 */
function errorDetails(error: Error): { message?: string; delay?: number } {
  try {
    return JSON.parse(error.message.split('\n')[0]) as { message?: string; delay?: number };
  } catch {
    return {};
  }
}

/** The message a Zapier user reads. */
export function userMessage(error: Error): string {
  return errorDetails(error).message ?? error.message.split('\n')[0];
}

/** Runs a step that must fail: the error's name, the message its user reads, a throttle's delay. */
export async function zapierError(
  run: Promise<unknown>,
): Promise<{ name: string; text: string; delay?: number }> {
  try {
    await run;
  } catch (error) {
    const { name } = error as Error;
    return { name, text: userMessage(error as Error), delay: errorDetails(error as Error).delay };
  }
  throw new Error('expected the step to fail');
}

/** Each trigger, its event, and data for POST /__admin/events that the demo workspace accepts. */
export const TRIGGER_EVENTS = [
  ['conversation_created', 'conversation.created', {}],
  ['conversation_resolved', 'conversation.resolved', { conversation_id: 'conv_124' }],
  ['contact_created', 'contact.created', {}],
  ['tag_added', 'tag.added', { conversation_id: 'conv_124', tag: 'e2e' }],
] as const;
