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
