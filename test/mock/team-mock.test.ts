/**
 * A team mock: `chatting-mock --host 0.0.0.0 --admin-token T`, reached from other machines by
 * whatever names and addresses they use. It runs in a network namespace the test makes itself
 * (netns.ts), where a 10.x.y.z address stands for the machine's LAN address; every request is
 * made from inside it. CONTRACT.md: bound off loopback, the admin API and the pages answer
 * under any Host, the token is the guard, and a change's Origin, when sent, must match its Host.
 */
import assert from 'node:assert/strict';
import { validate } from '../../schemas/validator';
import { type Child, MOCK_CLI, REPO, startChild } from '../helpers/child';
import { DEMO_KEYS } from '../helpers/mock';
import { createNamespace, noNetns, type Namespace } from '../helpers/netns';
import type { RawAnswer, RawOptions } from '../helpers/raw-http';
import { describeUnless } from '../helpers/skip';

const TOKEN = 'team-s3cret';

// jest prints no names of a file whose every test is skipped: say why here.
if (noNetns) console.warn(`The team mock tests are skipped: ${noNetns}.`);

/** The mock's CLI started inside the namespace with these flags (and --port 0, --memory). */
async function startInside(namespace: Namespace, ...flags: string[]): Promise<Child> {
  const { file, args } = namespace.command(process.execPath, MOCK_CLI);
  return startChild([...flags, '--memory', '--quiet'], REPO, args, { file });
}

async function stop(child: Child | undefined): Promise<void> {
  if (!child) return;
  child.process.kill('SIGTERM');
  assert.equal(await child.exited, 0, child.output());
}

function assertCode(answer: RawAnswer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.raw);
  assert.ok(validate('error', answer.body).valid, answer.raw);
  assert.equal((answer.body as { error: string }).error, code, answer.raw);
}

describeUnless(noNetns)('a team mock bound to 0.0.0.0 with an admin token', () => {
  let namespace: Namespace;
  let child: Child;
  let port: string;
  /**
   * Requests to the namespace's address, each with its own request line and headers. The
   * connection stays open until the answer (a half-closed one may be dropped before a page,
   * read from disk, is sent); `Connection: close` ends it.
   */
  const send = (requests: { head: string; options?: RawOptions }[]) =>
    namespace.rawRequests(
      requests.map(({ head, options }) => ({
        base: `http://${namespace.address}:${port}`,
        bytes: `${head}\r\nConnection: close\r\n\r\n`,
        options: { keepOpen: true, ...options },
      })),
    );

  beforeAll(async () => {
    namespace = createNamespace();
    child = await startInside(namespace, '--host', '0.0.0.0', '--admin-token', TOKEN);
    port = new URL(child.base).port;
  });
  afterAll(async () => {
    await stop(child);
    namespace?.remove();
  });

  test("the banner's URLs are the machine's addresses, never 0.0.0.0, with / and /docs", () => {
    const origin = `http://${namespace.address}:${port}`;
    const banner = child.output();
    assert.equal(child.base, origin);
    assert.ok(!banner.includes('0.0.0.0'), banner);
    assert.match(banner, new RegExp(`also on +http://127\\.0\\.0\\.1:${port}`));
    assert.ok(banner.includes(`curl -s ${origin}/api/zapier/me`), banner);
    assert.match(banner, new RegExp(`dashboard +${origin}/\\n`));
    assert.match(banner, new RegExp(`docs +${origin}/docs\\n`));
    assert.match(banner, new RegExp(`admin +${origin}/__admin/health .*X-Admin-Token`));
  });

  test('under any Host the machine is reached by: the admin API with the token, refused without', async () => {
    const hosts = [
      `${namespace.address}:${port}`,
      `mock.team.example:${port}`,
      `0.0.0.0:${port}`,
      `127.0.0.1:${port}`,
    ];
    const credentials = [
      '',
      `\r\nX-Admin-Token: ${TOKEN}`,
      `\r\nAuthorization: Bearer ${TOKEN}`,
      '\r\nX-Admin-Token: guess',
    ];
    const answers = await send(
      hosts.flatMap((host) =>
        credentials.map((credential) => ({
          head: `GET /__admin/health HTTP/1.1\r\nHost: ${host}${credential}`,
        })),
      ),
    );
    for (const [index, host] of hosts.entries()) {
      const [none, token, bearer, guess] = answers.slice(index * 4, index * 4 + 4);
      assertCode(none, 401, 'admin-token-missing');
      assert.equal(token.status, 200, `${host}: ${token.raw}`);
      assert.equal(bearer.status, 200, `${host}: ${bearer.raw}`);
      assertCode(guess, 401, 'admin-token-invalid');
    }
  });

  test('the dashboard, the docs and the API answer under a name of the machine', async () => {
    const host = `Host: mock.team.example:${port}`;
    const [dashboard, docs, me] = await send([
      { head: `GET / HTTP/1.1\r\n${host}`, options: { page: true } },
      { head: `GET /docs HTTP/1.1\r\n${host}`, options: { page: true } },
      { head: `GET /api/zapier/me HTTP/1.1\r\n${host}\r\nX-API-Key: ${DEMO_KEYS.acme}` },
    ]);
    assert.equal(dashboard.status, 200);
    assert.match(dashboard.raw, /QA dashboard/);
    assert.equal(docs.status, 200);
    assert.equal(me.status, 200, me.raw);
    assert.equal((me.body as { team_name: string }).team_name, 'Acme Team');
  });

  test("a change from a browser is taken only from the Host's own origin", async () => {
    const change = (host: string, headers: string) => ({
      head: `DELETE /__admin/faults HTTP/1.1\r\nHost: ${host}\r\nX-Admin-Token: ${TOKEN}${headers}`,
    });
    const named = `mock.team.example:${port}`;
    // Behind a TLS proxy (as the README suggests for a team mock) the page is on https and the
    // proxy passes the name it was reached by.
    const proxied = 'mock.team.example';
    const [own, script, viaProxy, foreign, other, sandboxed, crossSite, otherPort] = await send([
      change(named, `\r\nOrigin: http://${named}\r\nSec-Fetch-Site: same-origin`),
      change(named, ''),
      change(proxied, `\r\nOrigin: https://${proxied}\r\nSec-Fetch-Site: same-origin`),
      change(named, `\r\nOrigin: https://evil.example`),
      // The right token from a page on another of the machine's names is still another origin.
      change(named, `\r\nOrigin: http://${namespace.address}:${port}`),
      change(named, '\r\nOrigin: null'),
      change(named, '\r\nSec-Fetch-Site: cross-site'),
      change(proxied, `\r\nOrigin: https://${proxied}:8443`),
    ]);
    assert.equal(own.status, 200, own.raw);
    assert.equal(script.status, 200, script.raw);
    assert.equal(viaProxy.status, 200, viaProxy.raw);
    for (const refused of [foreign, other, sandboxed, crossSite, otherPort]) {
      assertCode(refused, 403, 'admin-origin-forbidden');
    }
  });
});

describeUnless(noNetns)('a team mock bound to one address of the machine', () => {
  let namespace: Namespace;
  let child: Child | undefined;
  beforeAll(() => {
    namespace = createNamespace();
  });
  afterAll(async () => {
    await stop(child);
    namespace?.remove();
  });

  test('the banner names that address; the admin API answers a name with the token', async () => {
    child = await startInside(namespace, '--host', namespace.address, '--admin-token', TOKEN);
    const port = new URL(child.base).port;
    assert.equal(child.base, `http://${namespace.address}:${port}`);
    assert.ok(!child.output().includes('also on'), child.output());
    const [health] = await namespace.rawRequests([
      {
        base: child.base,
        bytes: `GET /__admin/health HTTP/1.1\r\nHost: mock.team.example:${port}\r\nX-Admin-Token: ${TOKEN}\r\nConnection: close\r\n\r\n`,
      },
    ]);
    assert.equal(health.status, 200, health.raw);
  });
});
