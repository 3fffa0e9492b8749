/**
 * The contract suite's cases and what a running case records. The suite has its own small
 * runner (runner.ts) rather than jest's, because a case must be able to skip itself from inside
 * (a target without a contact), report drift apart from failures, and show that it asserted
 * something; and QA runs it as a command of its own against any deployment.
 *
 * Case modules (*.contract.ts) register their cases with `describe` and `test` when they are
 * imported; every run of the suite runs the registered cases against its own target.
 */
import nodeAssert from 'node:assert/strict';
import type { Target } from './target';

/** What a case needs of the target; without it the case is skipped with the reason. */
export type Need = 'writes' | 'admin' | 'second key' | 'revoked key' | 'site-less key';

export interface CaseOptions {
  needs?: Need[];
  /**
   * What the case asserts that the reference does not say (CONTRACT.md decides it). Against
   * another deployment a failure of such a case is drift, not breakage.
   */
  beyondReference?: string;
  /**
   * The mock's guard the case checks (a limit the reference does not set). Against another
   * deployment, accepting beyond it is information: neither a failure nor drift.
   */
  mockGuard?: string;
}

export interface CaseContext {
  /** Ends the case as skipped, with the reason. */
  skip(reason: string): never;
}

export interface Case {
  group: string;
  name: string;
  options: CaseOptions;
  run(t: CaseContext): Promise<void> | void;
}

const registered: Case[] = [];
let group = '';

export function describe(name: string, body: () => void): void {
  const outer = group;
  group = outer ? `${outer} › ${name}` : name;
  try {
    body();
  } finally {
    group = outer;
  }
}

export function test(name: string, run: Case['run']): void;
export function test(name: string, options: CaseOptions, run: Case['run']): void;
export function test(
  name: string,
  optionsOrRun: CaseOptions | Case['run'],
  run?: Case['run'],
): void {
  const [options, body] =
    typeof optionsOrRun === 'function' ? [{}, optionsOrRun] : [optionsOrRun, run as Case['run']];
  registered.push({ group, name, options, run: body });
}

export function registeredCases(): readonly Case[] {
  return registered;
}

/** Thrown by `t.skip()`. */
export class Skip extends Error {}

/** How the current run reads answers. */
export interface RunContext {
  target: Target;
  /** The API base the cases call: the target's, or the Prism proxy's in front of it. */
  api: string;
  /** Through `prism proxy --errors`: Prism's own refusals and violation reports may answer. */
  proxied: boolean;
  /**
   * Another deployment: an extra field or an unknown error code is drift, and so is a failure
   * of a case beyond the reference. Against the suite's own mock everything is strict.
   */
  driftAllowed: boolean;
}

/** What the running case asserted, the drift it saw, and what it learnt beyond a mock guard. */
export interface CaseRecord {
  assertions: number;
  drift: string[];
  information: string[];
}

let active: RunContext | null = null;
let current: CaseRecord | null = null;

export function setRun(context: RunContext | null): void {
  active = context;
}

export function run(): RunContext {
  if (!active) throw new Error('no contract run is active');
  return active;
}

export function beginCase(): CaseRecord {
  current = { assertions: 0, drift: [], information: [] };
  return current;
}

export function endCase(): void {
  current = null;
}

/** Counts one assertion of the running case. */
export function counted(): void {
  if (current) current.assertions += 1;
}

/** Records drift seen by the running case. */
export function drift(message: string): void {
  if (!current) throw new Error(`drift outside a case: ${message}`);
  current.drift.push(message);
}

/** Records that the target accepts beyond one of the mock's guards (another deployment). */
export function information(message: string): void {
  if (!current) throw new Error(`information outside a case: ${message}`);
  current.information.push(message);
}

/** node:assert/strict, counting each call as an assertion of the running case. */
export const assert: typeof nodeAssert = new Proxy(nodeAssert, {
  get(target, property, receiver) {
    const value: unknown = Reflect.get(target, property, receiver);
    if (typeof value !== 'function' || /^[A-Z]/.test(String(property))) return value;
    return (...args: unknown[]) => {
      counted();
      return (value as (...a: unknown[]) => unknown).apply(target, args);
    };
  },
});
