/**
 * Runs the contract suite's cases (the *.contract.ts modules) against one target, optionally
 * through `prism proxy --errors`: one line per case (pass, fail, skip with the reason), drift
 * listed at the end, a summary, and JUnit XML (drift as cases of their own).
 */
import { AssertionError } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { validateHeaderValue } from 'node:http';
import path from 'node:path';
import './api.contract';
import './state.contract';
import { startPrism, type RunningPrism } from './prism';
import {
  beginCase,
  endCase,
  registeredCases,
  setRun,
  Skip,
  type Case,
  type CaseContext,
} from './suite';
import { missing, openTarget, targetSpec, type TargetSpec } from './target';

export interface RunOptions {
  spec?: TargetSpec;
  /** Drift fails the run too. */
  strict?: boolean;
  /** Through `prism proxy --errors` in front of the target. */
  proxy?: boolean;
  /** Where to write JUnit XML; none when absent. */
  junit?: string;
  log?: (line: string) => void;
}

export interface CaseResult {
  group: string;
  name: string;
  outcome: 'pass' | 'fail' | 'skip';
  /** Why it failed or was skipped. */
  message?: string;
  assertions: number;
  drift: string[];
  /** A deployment that accepts beyond one of the mock's guards: reported, never a failure. */
  information: string[];
  ms: number;
}

export interface Report {
  target: string;
  readOnly: boolean;
  proxied: boolean;
  strict: boolean;
  results: CaseResult[];
  drift: { case: string; message: string }[];
  information: { case: string; message: string }[];
  counts: { pass: number; fail: number; skip: number; drift: number; information: number };
  /** No failure, and no drift when strict. */
  ok: boolean;
}

const caseContext: CaseContext = {
  skip(reason: string): never {
    throw new Skip(reason);
  },
};

async function runCase(test: Case, spec: TargetSpec, driftAllowed: boolean): Promise<CaseResult> {
  const base = { group: test.group, name: test.name };
  const unmet = missing(spec, test.options.needs ?? []);
  if (unmet) {
    return {
      ...base,
      outcome: 'skip',
      message: unmet,
      assertions: 0,
      drift: [],
      information: [],
      ms: 0,
    };
  }
  const started = performance.now();
  const record = beginCase();
  let outcome: CaseResult['outcome'] = 'pass';
  let message: string | undefined;
  try {
    await test.run(caseContext);
    if (record.assertions === 0) {
      outcome = 'fail';
      message = 'the case asserted nothing';
    }
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (error instanceof Skip) {
      outcome = 'skip';
      message = text;
    } else if (driftAllowed && test.options.mockGuard && error instanceof AssertionError) {
      // The deployment takes what the mock refuses: a fact about it, not a broken contract.
      record.information.push(`${text}\n  (the mock's guard: ${test.options.mockGuard})`);
    } else if (driftAllowed && test.options.beyondReference && error instanceof AssertionError) {
      // Only an answer that differs is drift; a request that got no answer (a dead target, a
      // refused connection) is a failure like any other.
      record.drift.push(`${text}\n  (beyond the reference: ${test.options.beyondReference})`);
    } else {
      outcome = 'fail';
      message = text;
    }
  } finally {
    endCase();
  }
  const ms = performance.now() - started;
  const { assertions, drift, information } = record;
  return { ...base, outcome, message, assertions, drift, information, ms };
}

/**
 * Prism only warns about some violations (a status openapi.yaml does not list) and lets the
 * answer through; its log names each one. Any response violation fails this last case.
 */
function prismViolations(prism: RunningPrism): CaseResult {
  const violations = prism.output
    .join('')
    .split('\n')
    .filter((line) => /Violation: response/.test(line))
    .map((line) => line.replace(/^.*Violation: /, ''));
  return {
    group: 'prism proxy --errors',
    name: 'no answer of the target breaks openapi.yaml',
    outcome: violations.length === 0 ? 'pass' : 'fail',
    message: violations.length === 0 ? undefined : violations.join('\n  '),
    assertions: 1,
    drift: [],
    information: [],
    ms: 0,
  };
}

/** What to check when a credential cannot be sent or is refused. */
const CHECK_KEY = 'Check CHATTING_API_KEY (a key of the test workspace, chatting_live_…).';
const CHECK_TOKEN = 'Check CHATTING_ADMIN_TOKEN (the token the mock was started with).';
const ADMIN_ADDRESS =
  "CHATTING_ADMIN_URL must be a mock's admin API, ending in /__admin (http://127.0.0.1:3000/__admin)";

/** A credential a check sends: what it is called, its header as the README writes it, and it. */
interface Credential {
  noun: 'key' | 'admin token';
  header: 'X-API-Key' | 'X-Admin-Token';
  value: string | null | undefined;
  check: string;
}

/**
 * A GET of `url` with `credential` (when there is one), as a check before any case: one no header
 * can carry (the README's `chatting_live_…` pasted as it is) fails before it is sent, named,
 * never shown; a target that does not answer is named with the cause, and with `address` (what
 * the URL must be), if given.
 */
async function probe(
  url: string,
  credential: Credential,
  address?: string,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (credential.value) {
    try {
      validateHeaderValue(credential.header.toLowerCase(), credential.value);
    } catch (error) {
      throw new Error(
        `the ${credential.noun} cannot be sent in ${credential.header} (${(error as Error).message}). ${credential.check}`,
        { cause: error },
      );
    }
    headers[credential.header] = credential.value;
  }
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Error(`nothing answers at ${url} (${cause})${address ? `: ${address}` : ''}`, {
      cause: error,
    });
  }
  return { status: response.status, text: await response.text() };
}

/** The parsed JSON of `text`, or undefined when it is none. */
function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The code of an envelope's error, as ` <code>`, or nothing when the body is not one. */
function errorCodeOf(text: string): string {
  const code = (jsonOf(text) as { error?: unknown } | undefined)?.error;
  return typeof code === 'string' ? ` ${code}` : '';
}

/**
 * Whether the suite can run at all: the key can be sent, something answers at the API's base,
 * and it takes the key. A target that cannot be tested would otherwise fail or drift every case
 * on the same cause, which reads like a contract broken everywhere rather than a key mistyped.
 */
async function assertUsable(api: string, key: string): Promise<void> {
  const credential: Credential = { noun: 'key', header: 'X-API-Key', value: key, check: CHECK_KEY };
  const { status, text } = await probe(`${api}/me`, credential);
  if (status === 404) {
    throw new Error(
      `${api}/me is not found (404): the base URL must be the API's, ending in /api/zapier`,
    );
  }
  if (status === 401 || status === 403) {
    throw new Error(
      `the key was refused: GET ${api}/me answered ${status}${errorCodeOf(text)}. ${CHECK_KEY}`,
    );
  }
}

/**
 * Whether the admin API CHATTING_ADMIN_URL names can be used: its health answers, and takes the
 * token when it asks for one. Checked once, so that a mistyped address (the mock's origin without
 * /__admin, say) is named here rather than failing each admin case with the same 404.
 */
async function assertAdminUsable(admin: string, adminToken: string | null | undefined) {
  const where = `GET ${admin}/health`;
  const credential: Credential = {
    noun: 'admin token',
    header: 'X-Admin-Token',
    value: adminToken,
    check: CHECK_TOKEN,
  };
  const { status, text } = await probe(`${admin}/health`, credential, ADMIN_ADDRESS);
  const code = errorCodeOf(text);
  if (status === 401) {
    throw new Error(
      `the admin API refused: ${where} answered 401${code}. ` +
        (adminToken ? CHECK_TOKEN : 'The mock asks for its admin token: set CHATTING_ADMIN_TOKEN.'),
    );
  }
  if (status === 403) throw new Error(`the admin API refused: ${where} answered 403${code}`);
  const healthy = (jsonOf(text) as { ok?: unknown } | undefined)?.ok === true;
  if (status !== 200 || !healthy) {
    throw new Error(`${where} answered ${status}${code}, not the mock's health: ${ADMIN_ADDRESS}`);
  }
}

export async function runSuite(options: RunOptions = {}): Promise<Report> {
  const log = options.log ?? ((line: string) => console.log(line));
  const spec = options.spec ?? targetSpec();
  const target = await openTarget(spec);
  let prism: RunningPrism | null = null;
  try {
    await assertUsable(target.api, target.key);
    // The suite's own mock needs no such check; an admin API named by CHATTING_ADMIN_URL does.
    if (target.admin && !target.mock) await assertAdminUsable(target.admin, target.adminToken);
    if (options.proxy) prism = await startPrism({ proxy: target.api });
    const driftAllowed = spec.base !== null;
    setRun({ target, api: prism?.url ?? target.api, proxied: prism !== null, driftAllowed });
    log(
      `contract suite against ${target.name}${target.writes ? '' : ' (read-only: GET only)'}` +
        `${prism ? `, through prism proxy --errors at ${prism.url}` : ''}` +
        `${driftAllowed ? (options.strict ? ', drift fails' : ', drift reported') : ''}`,
    );
    const results: CaseResult[] = [];
    const cases = registeredCases().map((test) => () => runCase(test, spec, driftAllowed));
    if (prism) {
      const proxy = prism;
      cases.push(() => Promise.resolve(prismViolations(proxy)));
    }
    for (const next of cases) {
      const result = await next();
      results.push(result);
      const title = `${result.group} › ${result.name}`;
      if (result.outcome === 'pass') log(`✔ ${title} (${result.assertions} assertions)`);
      if (result.outcome === 'skip') log(`- ${title} # SKIP ${result.message}`);
      if (result.outcome === 'fail') log(`✖ ${title}\n  ${result.message}`);
      for (const item of result.drift) log(`~ ${title}: drift: ${item}`);
      for (const item of result.information) log(`i ${title}: information: ${item}`);
    }
    const listed = (pick: (r: CaseResult) => string[]) =>
      results.flatMap((r) =>
        pick(r).map((message) => ({ case: `${r.group} › ${r.name}`, message })),
      );
    const drift = listed((r) => r.drift);
    const information = listed((r) => r.information);
    const count = (outcome: CaseResult['outcome']) =>
      results.filter((r) => r.outcome === outcome).length;
    const counts = {
      pass: count('pass'),
      fail: count('fail'),
      skip: count('skip'),
      drift: drift.length,
      information: information.length,
    };
    const report: Report = {
      target: target.name,
      readOnly: !target.writes,
      proxied: prism !== null,
      strict: options.strict ?? false,
      results,
      drift,
      information,
      counts,
      ok: counts.fail === 0 && !(options.strict && drift.length > 0),
    };
    if (drift.length > 0) {
      log(
        `\ndrift (${options.strict ? 'fails with --strict' : 'not a failure; --strict fails on it'}):`,
      );
      for (const item of drift) log(`  ${item.case}: ${item.message}`);
    }
    if (information.length > 0) {
      log(
        "\ninformation (the target accepts beyond the mock's guards, which are not API promises;" +
          ' neither drift nor a failure):',
      );
      for (const item of information) log(`  ${item.case}: ${item.message}`);
    }
    log(
      `\n${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped, ${counts.drift} drift` +
        `, ${counts.information} information — ${report.ok ? 'OK' : 'FAILED'}`,
    );
    if (options.junit) writeJunit(options.junit, report);
    return report;
  } finally {
    setRun(null);
    await prism?.stop();
    await target.stop();
  }
}

function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * JUnit XML: one testsuite of cases, one of drift (each item a case, failing when strict), one of
 * information (each item a case that never fails).
 */
export function writeJunit(file: string, report: Report): void {
  const cases = report.results.map((r) => {
    const open = `    <testcase classname="${xml(r.group)}" name="${xml(r.name)}" time="${(r.ms / 1000).toFixed(3)}"`;
    if (r.outcome === 'pass') return `${open}/>`;
    const inner =
      r.outcome === 'skip'
        ? `<skipped message="${xml(r.message ?? '')}"/>`
        : `<failure message="${xml((r.message ?? '').split('\n')[0])}">${xml(r.message ?? '')}</failure>`;
    return `${open}>${inner}</testcase>`;
  });
  const drift = report.drift.map((d) => {
    const open = `    <testcase classname="drift" name="${xml(`${d.case}: ${d.message.split('\n')[0]}`)}"`;
    return report.strict
      ? `${open}><failure type="drift" message="${xml(d.message.split('\n')[0])}">${xml(d.message)}</failure></testcase>`
      : `${open}><system-out>${xml(d.message)}</system-out></testcase>`;
  });
  const information = report.information.map(
    (item) =>
      `    <testcase classname="information" name="${xml(`${item.case}: ${item.message.split('\n')[0]}`)}"><system-out>${xml(item.message)}</system-out></testcase>`,
  );
  const { counts } = report;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="contract suite against ${xml(report.target)}">`,
    `  <testsuite name="contract" tests="${report.results.length}" failures="${counts.fail}" skipped="${counts.skip}">`,
    ...cases,
    '  </testsuite>',
    `  <testsuite name="drift" tests="${counts.drift}" failures="${report.strict ? counts.drift : 0}">`,
    ...drift,
    '  </testsuite>',
    `  <testsuite name="information" tests="${counts.information}" failures="0">`,
    ...information,
    '  </testsuite>',
    '</testsuites>',
    '',
  ];
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, lines.join('\n'));
}
