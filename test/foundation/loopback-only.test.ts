/**
 * The test setup's guard (test/setup/loopback-only.ts): a test's own process connects to
 * loopback only, whatever opens the connection.
 */
import assert from 'node:assert/strict';
import { createServer, connect, type AddressInfo } from 'node:net';

const refusal = (host: string) => new RegExp(`may not connect off this machine \\(to ${host}\\)`);

test('a socket to a public name or address fails at once, naming it', async () => {
  for (const [port, host] of [
    [443, 'hooks.zapier.com'],
    [80, '93.184.216.34'],
    [80, '10.1.2.3'],
    [80, '::ffff:10.1.2.3'],
  ] as const) {
    const error = await new Promise<Error>((resolve) => {
      connect(port, host).on('error', resolve);
    });
    assert.match(error.message, refusal(host));
  }
});

test('fetch, as the mock delivers webhooks, fails the same way', async () => {
  const failed = await fetch('https://hooks.zapier.com/hooks/catch/1/x', { method: 'POST' }).then(
    () => null,
    (error: Error) => error,
  );
  assert.ok(failed, 'fetch went through');
  assert.match(String((failed.cause as Error | undefined)?.message), refusal('hooks.zapier.com'));
});

test('loopback still connects, however its address is written', async () => {
  // One server per loopback address, never one on every interface.
  const listening = async (address: string) => {
    const server = createServer((socket) => socket.end('hi'));
    await new Promise<void>((resolve) => server.listen(0, address, resolve));
    return server;
  };
  const v4 = await listening('127.0.0.1');
  const v6 = await listening('::1');
  const portOf = (server: typeof v4) => (server.address() as AddressInfo).port;
  try {
    for (const [host, server] of [
      ['127.0.0.1', v4],
      ['localhost', v4],
      ['::ffff:127.0.0.1', v4],
      ['::1', v6],
      ['0:0:0:0:0:0:0:1', v6],
    ] as const) {
      const said = await new Promise<string>((resolve, reject) => {
        let text = '';
        // localhost may resolve to ::1 first; Node then tries 127.0.0.1 (autoSelectFamily).
        connect({ port: portOf(server), host, autoSelectFamily: true })
          .on('data', (chunk) => (text += chunk.toString()))
          .on('end', () => resolve(text))
          .on('error', reject);
      });
      assert.equal(said, 'hi', host);
    }
  } finally {
    await Promise.all([v4, v6].map((server) => new Promise((resolve) => server.close(resolve))));
  }
});
