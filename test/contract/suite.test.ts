/**
 * The contract suite's runner (npm run test:contract), run against mocks in this process:
 * a fresh mock (every case passes, none drifts, each asserted something), the same through
 * `prism proxy --errors`, read-only against a mock (it sends GET only), and a deployment that
 * drifts (reported, failing only with --strict, and the command exits non-zero then).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { DEMO_KEYS, startMock, temporaryDirectory, type RunningMock } from '../helpers/mock';
import { runSuite, type Report } from './runner';
import { ownMockSpec, targetSpec, type TargetSpec } from './target';

const quiet = () => undefined;

/** A spec for a mock started here, as if it were another deployment. */
function deploymentSpec(api: string, overrides: Partial<TargetSpec> = {}): TargetSpec {
  return {
    base: api,
    key: DEMO_KEYS.acme,
    secondKey: null,
    revokedKey: null,
    noSiteKey: null,
    writes: false,
    admin: null,
    ...overrides,
  };
}

function assertClean(report: Report): void {
  const failed = report.results.filter((r) => r.outcome === 'fail');
  assert.deepEqual(
    failed.map((r) => `${r.group} › ${r.name}: ${r.message}`),
    [],
  );
  assert.deepEqual(report.drift, []);
  for (const result of report.results.filter((r) => r.outcome === 'pass')) {
    assert.ok(result.assertions > 0, `${result.name} asserted nothing`);
  }
  assert.equal(report.ok, true);
}

describe('against a fresh mock of its own', () => {
  test('every case passes, nothing drifts, every case asserted something; JUnit lists each case', async () => {
    // Made by the test that uses it: a folder made as the file loads outlives a run that
    // filters this test out (jest then skips the describe's afterAll).
    const { dir, remove } = temporaryDirectory();
    try {
      const junit = path.join(dir, 'contract.xml');
      const report = await runSuite({ spec: ownMockSpec(), junit, log: quiet });
      assertClean(report);
      assert.equal(report.counts.skip, 0, 'the own mock supports every case');
      assert.ok(report.counts.pass >= 60, `only ${report.counts.pass} cases`);
      const xml = readFileSync(junit, 'utf8');
      assert.equal(xml.match(/<testcase /g)?.length, report.results.length);
      assert.match(xml, /<testsuite name="drift" tests="0"/);
    } finally {
      remove();
    }
  });

  test('through prism proxy --errors: no request the contract accepts is refused, no answer breaks openapi.yaml', async () => {
    const report = await runSuite({ spec: ownMockSpec(), proxy: true, log: quiet });
    assertClean(report);
    assert.ok(
      report.results.some((r) => r.group === 'prism proxy --errors' && r.outcome === 'pass'),
    );
  });
});

test('a deployment is named by CHATTING_* variables, read-only unless writes are asked for', () => {
  const variables = {
    CHATTING_BASE_URL: 'https://staging.example/api/zapier/',
    CHATTING_API_KEY: 'chatting_live_a_b',
    CHATTING_SECOND_API_KEY: 'chatting_live_c_d',
    CHATTING_REVOKED_API_KEY: 'chatting_live_e_f',
    CHATTING_NO_SITE_API_KEY: 'chatting_live_g_h',
    CHATTING_ADMIN_URL: 'http://10.0.0.5:3000/__admin/',
    CHATTING_ADMIN_TOKEN: 'team-token',
  };
  const saved = { ...process.env };
  try {
    for (const name of Object.keys(process.env).filter((n) => n.startsWith('CHATTING_')))
      delete process.env[name];
    Object.assign(process.env, variables);
    assert.deepEqual(targetSpec(), {
      base: 'https://staging.example/api/zapier',
      key: 'chatting_live_a_b',
      secondKey: 'chatting_live_c_d',
      revokedKey: 'chatting_live_e_f',
      noSiteKey: 'chatting_live_g_h',
      writes: false,
      admin: 'http://10.0.0.5:3000/__admin',
      adminToken: 'team-token',
    });
    process.env.CHATTING_CONTRACT_WRITES = '1';
    assert.equal(targetSpec().writes, true);
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
});

describe('read-only against a mock', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startMock();
  });
  afterAll(async () => {
    await mock.stop();
  });

  test('sends GET only, and skips every other case with the reason', async () => {
    const report = await runSuite({ spec: deploymentSpec(`${mock.base}/api/zapier`), log: quiet });
    assertClean(report);
    const sent = mock.server.services.requests.latest(1000);
    assert.ok(sent.length > 10, `only ${sent.length} requests`);
    assert.deepEqual(
      sent.filter((entry) => entry.method !== 'GET').map((e) => `${e.method} ${e.path}`),
      [],
    );
    const skipped = report.results.filter((r) => r.outcome === 'skip');
    assert.ok(skipped.some((r) => /^read-only target/.test(r.message ?? '')));
  });

  test('a base URL without /api/zapier cannot be tested, and says so', async () => {
    await assert.rejects(runSuite({ spec: deploymentSpec(mock.base), log: quiet }), {
      message: `${mock.base}/me is not found (404): the base URL must be the API's, ending in /api/zapier`,
    });
  });

  test('a mistyped key stops the command before any case: exit 2, "the key was refused"', async () => {
    const typo = `${DEMO_KEYS.acme.slice(0, -1)}x`;
    await assert.rejects(
      runSuite({ spec: deploymentSpec(`${mock.base}/api/zapier`, { key: typo }), log: quiet }),
      {
        message:
          `the key was refused: GET ${mock.base}/api/zapier/me answered 401 api-key-invalid. ` +
          'Check CHATTING_API_KEY (a key of the test workspace, chatting_live_…).',
      },
    );
    // A key pasted with the README's ellipsis is refused as a key, not as a target that is down.
    await assert.rejects(
      runSuite({
        spec: deploymentSpec(`${mock.base}/api/zapier`, { key: 'chatting_live_…' }),
        log: quiet,
      }),
      { message: /^the key cannot be sent in X-API-Key \(.*\)\. Check CHATTING_API_KEY/ },
    );
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'run.ts')], {
      env: {
        ...Object.fromEntries(
          Object.entries(process.env).filter(([name]) => !name.startsWith('CHATTING_')),
        ),
        CHATTING_BASE_URL: `${mock.base}/api/zapier`,
        CHATTING_API_KEY: typo,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 2, output);
    assert.match(output, /^the contract suite could not run: the key was refused/m);
    assert.doesNotMatch(output, /failed|✖/);
  });

  test('a target nothing answers at cannot be tested: no case passes or drifts on it', async () => {
    const closed = await startMock();
    const api = `${closed.base}/api/zapier`;
    await closed.stop();
    await assert.rejects(runSuite({ spec: deploymentSpec(api), log: quiet }), (error: Error) =>
      error.message.startsWith(`nothing answers at ${api}/me`),
    );
  });
});

describe('the admin API of a mock started elsewhere (CHATTING_ADMIN_URL)', () => {
  const TOKEN = 'contract-admin-token';
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startMock({ adminToken: TOKEN });
  });
  afterAll(async () => {
    await mock.stop();
  });

  /** A deployment with every capability: the mock's keys, writes, its admin API. */
  const withAdmin = (admin: string, adminToken: string | null) =>
    deploymentSpec(`${mock.base}/api/zapier`, {
      secondKey: DEMO_KEYS.globex,
      revokedKey: DEMO_KEYS.revoked,
      noSiteKey: DEMO_KEYS.nosite,
      writes: true,
      admin,
      adminToken,
    });

  test('with its token, every case runs and passes, the admin cases included', async () => {
    const report = await runSuite({ spec: withAdmin(`${mock.base}/__admin`, TOKEN), log: quiet });
    assertClean(report);
    assert.equal(report.counts.skip, 0, 'every capability was given');
  });

  test("the mock's origin without /__admin stops the run before any case, naming the variable", async () => {
    await assert.rejects(runSuite({ spec: withAdmin(mock.base, TOKEN), log: quiet }), {
      message:
        `GET ${mock.base}/health answered 404 not-found, not the mock's health: ` +
        "CHATTING_ADMIN_URL must be a mock's admin API, ending in /__admin (http://127.0.0.1:3000/__admin)",
    });
  });

  test('a missing or wrong token stops the run before any case, naming CHATTING_ADMIN_TOKEN', async () => {
    const admin = `${mock.base}/__admin`;
    await assert.rejects(runSuite({ spec: withAdmin(admin, null), log: quiet }), {
      message:
        `the admin API refused: GET ${admin}/health answered 401 admin-token-missing. ` +
        'The mock asks for its admin token: set CHATTING_ADMIN_TOKEN.',
    });
    await assert.rejects(runSuite({ spec: withAdmin(admin, 'not-the-token'), log: quiet }), {
      message:
        `the admin API refused: GET ${admin}/health answered 401 admin-token-invalid. ` +
        'Check CHATTING_ADMIN_TOKEN (the token the mock was started with).',
    });
  });

  test('a token no header can carry is named as the token, never shown', async () => {
    const admin = `${mock.base}/__admin`;
    for (const token of ['contract-token€', 'two\nlines']) {
      await assert.rejects(
        runSuite({ spec: withAdmin(admin, token), log: quiet }),
        (error: Error) => {
          assert.match(
            error.message,
            /^the admin token cannot be sent in X-Admin-Token \(.*\)\. Check CHATTING_ADMIN_TOKEN/,
          );
          assert.ok(!error.message.includes(token), error.message);
          return true;
        },
      );
    }
  });

  test('an admin API nothing answers at is named as such', async () => {
    const closed = await startMock();
    const admin = `${closed.base}/__admin`;
    await closed.stop();
    await assert.rejects(runSuite({ spec: withAdmin(admin, TOKEN), log: quiet }), (error: Error) =>
      error.message.startsWith(`nothing answers at ${admin}/health (`),
    );
  });
});

/** What a stand-in deployment changes on the way to the mock and back. */
interface Rewrites {
  request?: (url: string, body: Buffer | undefined) => Buffer | undefined;
  response?: (url: string, status: number, text: string, sent: Buffer | undefined) => string;
}

/** A stand-in deployment: the mock behind a proxy that rewrites requests or answers. */
function standIn(upstream: string, rewrites: Rewrites): Server {
  return createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.headers)) {
          if (typeof value === 'string' && !['host', 'content-length'].includes(name))
            headers[name] = value;
        }
        const url = request.url ?? '/';
        const sent = chunks.length ? Buffer.concat(chunks) : undefined;
        const answer = await fetch(`${upstream}${url}`, {
          method: request.method,
          headers,
          body: rewrites.request ? rewrites.request(url, sent) : sent,
        });
        const text = await answer.text();
        const passed = [...answer.headers].filter(
          ([name]) =>
            ![
              'content-length',
              'content-encoding',
              'connection',
              'transfer-encoding',
              'keep-alive',
            ].includes(name),
        );
        response.writeHead(answer.status, Object.fromEntries(passed));
        response.end(rewrites.response ? rewrites.response(url, answer.status, text, sent) : text);
      })();
    });
  });
}

/**
 * A deployment that has moved on: /me answers a field the contract does not know, and a
 * malformed email gets a code the contract does not know (same status).
 */
function driftingProxy(upstream: string): Server {
  return standIn(upstream, {
    response: (url, status, text) =>
      (url === '/me' && status === 200
        ? JSON.stringify({ ...(JSON.parse(text) as object), plan: 'pro' })
        : text
      ).replace('"invalid-email"', '"email-malformed"'),
  });
}

/**
 * A deployment without two of the mock's guards: it keeps a contact's name a little over 200
 * characters (the mock behind it stores the first 200; the proxy gives the whole name back in
 * the contact's answers and its contact.created samples) and ignores fields it does not know.
 */
function lenientProxy(upstream: string): Server {
  const longNames = new Map<string, string>();
  const nameOf = (sent: Buffer | undefined) => {
    const name = jsonObject(sent)?.name;
    return typeof name === 'string' && name.length > 200 && name.length < 1000 ? name : null;
  };
  return standIn(upstream, {
    request: (url, body) => {
      const contact = url === '/contacts' ? jsonObject(body) : null;
      if (!contact) return body;
      delete contact.nickname;
      // Names a little over the guard (not the body limit's 200 KiB) are cut to 200.
      if (nameOf(body)) contact.name = (contact.name as string).slice(0, 200);
      return Buffer.from(JSON.stringify(contact));
    },
    response: (url, status, text, sent) => {
      const answer = jsonObject(Buffer.from(text));
      const name = url === '/contacts' && status < 300 ? nameOf(sent) : null;
      if (answer && name) {
        longNames.set(answer.id as string, name);
        return JSON.stringify({ ...answer, name });
      }
      if (!answer || !url.startsWith('/contacts?')) return text;
      for (const item of (answer.items ?? []) as {
        data: { contact_id: string; name?: string };
        data__name?: string;
      }[]) {
        const long = longNames.get(item.data.contact_id);
        if (long) item.data.name = item.data__name = long;
      }
      return JSON.stringify(answer);
    },
  });
}

/** A body's JSON object, or null when it is none (the mock answers such a body itself). */
function jsonObject(body: Buffer | undefined): Record<string, unknown> | null {
  try {
    const value: unknown = body ? JSON.parse(body.toString()) : null;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

describe('against a deployment without some of the mock guards', () => {
  let mock: RunningMock;
  let proxy: Server;
  let base: string;
  beforeAll(async () => {
    mock = await startMock();
    proxy = lenientProxy(`${mock.base}/api/zapier`).listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    base = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    proxy.close();
    await mock.stop();
  });

  test('accepting beyond a guard is information: neither a failure nor drift, also with --strict', async () => {
    const { dir, remove } = temporaryDirectory();
    try {
      const junit = path.join(dir, 'lenient.xml');
      const first = await runSuite({
        spec: deploymentSpec(base, { writes: true }),
        strict: true,
        log: quiet,
      });
      assert.equal(first.counts.fail, 0, JSON.stringify(first.results.filter((r) => r.message)));
      // The second run finds the first one's long name in the samples: information too.
      const report = await runSuite({
        spec: deploymentSpec(base, { writes: true }),
        strict: true,
        junit,
        log: quiet,
      });
      assert.equal(report.counts.fail, 0, JSON.stringify(report.results.filter((r) => r.message)));
      assert.deepEqual(report.drift, []);
      assert.equal(report.ok, true);
      const cases = [...new Set(report.information.map((item) => item.case.split(' › ').pop()))];
      assert.deepEqual(cases.sort(), [
        'GET /contacts × ?limit=100: contact.created payloads, newest first',
        'POST /contacts × a field the reference does not name → invalid-request naming the field and the limit',
        'POST /contacts × name over 200 → invalid-request naming the field and the limit',
      ]);
      assert.match(
        report.information.map((item) => item.message).join('\n'),
        /GET \/contacts.*data\.name: at most 200 characters.*beyond the mock's guard/,
      );
      const xml = readFileSync(junit, 'utf8');
      assert.match(
        xml,
        new RegExp(
          `<testsuite name="information" tests="${report.counts.information}" failures="0">`,
        ),
      );
      assert.match(xml, /<testcase classname="information" name="[^"]*name over 200/);
    } finally {
      remove();
    }
  });
});

describe('against a deployment that drifts', () => {
  let mock: RunningMock;
  let proxy: Server;
  let base: string;
  beforeAll(async () => {
    mock = await startMock();
    proxy = driftingProxy(`${mock.base}/api/zapier`).listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    base = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    proxy.close();
    await mock.stop();
  });

  test('an extra field and an unknown error code are drift, not failures', async () => {
    const report = await runSuite({ spec: deploymentSpec(base, { writes: true }), log: quiet });
    assert.equal(report.counts.fail, 0, JSON.stringify(report.results.filter((r) => r.message)));
    assert.equal(report.ok, true);
    const drift = report.drift.map((d) => d.message).join('\n');
    assert.match(drift, /GET \/me.*a field the contract does not know: \/plan/);
    assert.match(drift, /"email-malformed"/);
  });

  test('through prism proxy --errors, what Prism reports of the drift is drift too', async () => {
    const report = await runSuite({ spec: deploymentSpec(base), proxy: true, log: quiet });
    assert.equal(report.counts.fail, 0, JSON.stringify(report.results.filter((r) => r.message)));
    assert.match(
      report.drift.map((d) => d.message).join('\n'),
      /GET \/me.*Prism: .*additional properties; found 'plan'/,
    );
  });

  test('--strict fails on drift, and the command exits 1 with drift as JUnit cases of their own', async () => {
    const { dir, remove } = temporaryDirectory();
    try {
      const junit = path.join(dir, 'strict.xml');
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, 'run.ts'), '--strict', '--junit', junit],
        {
          env: {
            ...Object.fromEntries(
              Object.entries(process.env).filter(([name]) => !name.startsWith('CHATTING_')),
            ),
            CHATTING_BASE_URL: base,
            CHATTING_API_KEY: DEMO_KEYS.acme,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const output: string[] = [];
      child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number];
      assert.equal(code, 1, output.join(''));
      assert.match(output.join(''), /drift \(fails with --strict\)/);
      const xml = readFileSync(junit, 'utf8');
      assert.match(xml, /<testcase classname="drift" name="GET \/me › GET \/me × success: /);
      assert.match(xml, /<failure type="drift"/);
    } finally {
      remove();
    }
  });
});
