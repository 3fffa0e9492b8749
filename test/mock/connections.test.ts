/**
 * One connection, many requests: every request gets its own answer, in order, pipelined or not,
 * and a broken one ends the connection only after the answers to those before it have left,
 * even when an earlier one is still running. What Node would answer on its own (an Expect it
 * cannot meet, CONNECT, a request while the server stops) is the envelope too.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { validate } from '../../schemas/validator';
import type { ServerOptions } from '../../mock-server/server';
import { addFault, DEMO_KEYS, startMock, useMock, type RunningMock } from '../helpers/mock';
import { parseAnswers, rawConnection, type ParsedAnswer } from '../helpers/raw-http';
import { until } from '../helpers/receiver';

const API = '/api/zapier';

// A full collection on demand, to see what a closed connection leaves alive: the flag makes
// `gc` a global of contexts created after it.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const mock = useMock({ timeouts: { headersMs: 300, requestMs: 600 } });
afterEach(async () => {
  await mock.request('DELETE', '/__admin/faults', { key: null });
  // Whatever came before, the server still serves.
  assert.equal((await mock.request('GET', `${API}/me`)).status, 200);
});

const me = `GET ${API}/me HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n\r\n`;

function postMessage(text: string): string {
  const body = JSON.stringify({ message: text });
  return (
    `POST ${API}/conversations/conv_123/messages HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
  );
}

const messagesSaying = (text: string) =>
  mock.server.services.store.all('messages').filter((m) => m.message === text).length;

/** Asserts each answer's status and that every error is the envelope with `code`. */
function assertAnswers(answers: ParsedAnswer[], expected: [number, string?][]): void {
  const shown = JSON.stringify(answers);
  assert.deepEqual(
    answers.map((a) => a.status),
    expected.map(([status]) => status),
    shown,
  );
  expected.forEach(([, code], i) => {
    if (!code) return;
    const body = JSON.parse(answers[i].body) as { error: string };
    assert.ok(validate('error', body).valid, shown);
    assert.equal(body.error, code, shown);
    assert.match(answers[i].headers['content-type'], /^application\/json/);
  });
}

/** A delay fault on the next request to `path`. */
async function delayNext(path: string, delayMs = 300, on: RunningMock = mock): Promise<void> {
  await addFault(on, { path, delay_ms: delayMs, times: 1 });
}

const HUGE_HEADER = `GET ${API}/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`;

/**
 * Runs `scenario` on a mock of its own (with `options`), with `stop()` stopping it (once, however
 * often called); the mock is stopped afterwards in any case.
 */
async function withOwnMock<T>(
  scenario: (own: RunningMock, stop: () => Promise<void>) => Promise<T>,
  options: ServerOptions = {},
): Promise<T> {
  const own = await startMock(options);
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= own.stop());
  try {
    return await scenario(own, stop);
  } finally {
    await stop();
  }
}

test('headers of 1,000 lines are read; 1,001 lines are 400 invalid-request, as the README says', async () => {
  const request = (lines: number) =>
    `GET ${API}/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
    Array.from({ length: lines - 2 }, (_, i) => `X-Line-${i}: v\r\n`).join('') +
    '\r\n';
  assertAnswers(parseAnswers(await rawConnection(mock.base, request(1000))), [
    [401, 'api-key-missing'],
  ]);
  const [refused] = parseAnswers(await rawConnection(mock.base, request(1001)));
  assertAnswers([refused], [[400, 'invalid-request']]);
  assert.match(JSON.parse(refused.body).message, /headers are too large/);
});

describe('a malformed request after a valid one', () => {
  for (const [what, malformed] of [
    ['GARBAGE', 'GARBAGE\r\n\r\n'],
    ['a 70 KB header', HUGE_HEADER],
  ] as const) {
    for (const running of [false, true]) {
      test(`${what} after a message write${running ? ' still running (delay fault)' : ''}: 201, then 400, then the end`, async () => {
        const text = `pipelined before ${what} ${running}`;
        if (running) await delayNext(`${API}/conversations/*`);
        const answers = parseAnswers(await rawConnection(mock.base, postMessage(text) + malformed));
        assertAnswers(answers, [[201], [400, 'invalid-request']]);
        assert.equal(JSON.parse(answers[0].body).conversation_id, 'conv_123');
        assert.equal(messagesSaying(text), 1);
      });
    }
  }

  test('three in a row, the first delayed: each its own answer, in order', async () => {
    await delayNext(`${API}/me`);
    const answers = parseAnswers(
      await rawConnection(mock.base, me + postMessage('second of three') + 'GARBAGE\r\n\r\n'),
    );
    assertAnswers(answers, [[200], [201], [400, 'invalid-request']]);
    assert.equal(JSON.parse(answers[0].body).workspace_id, 'owner_123');
  });

  test('a body that is not JSON does not end the connection: the write behind it gets its 201', async () => {
    const text = 'behind a broken body';
    const broken =
      `POST ${API}/contacts HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 9\r\n\r\n{"email":';
    const closing = postMessage(text).replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n');
    const answers = parseAnswers(await rawConnection(mock.base, broken + closing));
    assertAnswers(answers, [[400, 'invalid-request'], [201]]);
    assert.equal(messagesSaying(text), 1);
  });

  test('a body that stops coming behind a request running past the time limit: 200, then 408', async () => {
    const stalled =
      `POST ${API}/contacts HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"em';
    // The stalled body times out (600 ms) while the request before it is still running.
    await delayNext(`${API}/me`, 900);
    const answers = parseAnswers(await rawConnection(mock.base, me + stalled));
    assertAnswers(answers, [[200], [408, 'request-timeout']]);
  });

  test('a method Node does not know, right behind a body with no line break after it: its 405 (404 on an unknown path)', async () => {
    for (const [path, status, code] of [
      [`${API}/me`, 405, 'method-not-allowed'],
      [`${API}/nowhere`, 404, 'not-found'],
    ] as const) {
      const text = `before FOO ${path}`;
      const answers = parseAnswers(
        await rawConnection(
          mock.base,
          `${postMessage(text)}FOO ${path} HTTP/1.1\r\nHost: x\r\n\r\n`,
        ),
      );
      assertAnswers(answers, [[201], [status, code]]);
      assert.equal(messagesSaying(text), 1);
    }
  });

  test('a chunked body that breaks off after its request was answered: that answer stays its only one', async () => {
    const chunked = (head: string) => `${head}Transfer-Encoding: chunked\r\n\r\n`;
    for (const [head, status, code] of [
      [`GET ${API}/me HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n`, 200, undefined],
      // Refused from its headers alone, before its body is read.
      [
        `POST ${API}/contacts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n`,
        401,
        'api-key-missing',
      ],
    ] as const) {
      // The bad chunk is sent once the answer has arrived.
      const raw = await rawConnection(mock.base, chunked(head), {
        during: (socket) => socket.once('data', () => socket.write('ZZ\r\n')),
      });
      assertAnswers(parseAnswers(raw), [[status, code]]);
      // Sent with its head, it is answered once too: by the request's answer or by the refusal.
      const together = parseAnswers(await rawConnection(mock.base, `${chunked(head)}ZZ\r\n`));
      assert.equal(together.length, 1, JSON.stringify(together));
    }
  });

  test('a request after one that said Connection: close is neither acted on nor answered', async () => {
    const closing = me.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n');
    const oldStyle = me.replace('HTTP/1.1', 'HTTP/1.0');
    // Without response checks (as `chatting-mock` runs) the first answer has left by the time
    // the parser meets the bytes after it; with them (the tests' default) it has not.
    for (const verify of [false, true]) {
      await withOwnMock(
        async (own) => {
          for (const first of [closing, oldStyle]) {
            const raw = await rawConnection(own.base, first + postMessage('after the close'));
            const statuses = parseAnswers(raw).map((answer) => answer.status);
            assert.deepEqual(statuses, [200], `verify ${verify}: ${raw}`);
          }
          const stored = own.server.services.store.all('messages');
          assert.equal(stored.filter((m) => m.message === 'after the close').length, 0);
        },
        { verify },
      );
    }
  });

  test('more bytes after the malformed request change nothing', async () => {
    const answers = parseAnswers(
      await rawConnection(mock.base, `${me}GARBAGE\r\n\r\n${'x'.repeat(64 * 1024)}${me}`),
    );
    assertAnswers(answers, [[200], [400, 'invalid-request']]);
  });
});

describe('a client that pipelines more than it reads', () => {
  const bundle = 'GET /docs/swagger-ui-bundle.js HTTP/1.1\r\nHost: x\r\n\r\n';

  /** A connection that sends `bytes` and reads nothing until the test resumes it. */
  async function unreadConnection(bytes: string): Promise<Socket> {
    const socket = connect(Number(new URL(mock.base).port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.pause();
    socket.write(bytes);
    return socket;
  }

  test('requests far behind answers it has not taken wait unhandled, and are dropped when it leaves', async () => {
    // 60 answers of about 1.5 MB each, more than the connection's buffers hold, then 5 writes.
    const socket = await unreadConnection(bundle.repeat(60) + postMessage('held back').repeat(5));
    // Whatever the server does with the chunk, it does before it answers another connection.
    for (let i = 0; i < 3; i++) assert.equal((await mock.request('GET', `${API}/me`)).status, 200);
    assert.equal(messagesSaying('held back'), 0, 'nothing behind the unread answers was acted on');
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.destroy();
    await closed;
    assert.equal((await mock.request('GET', `${API}/me`)).status, 200);
    assert.equal(messagesSaying('held back'), 0, 'dropped, not acted on, once the client left');
  });

  test('with more than 128 waiting the connection is given up: those running are answered, the rest dropped', async () => {
    const socket = await unreadConnection(
      bundle.repeat(16 + 128 + 6) + postMessage('past the backlog').repeat(2),
    );
    assert.equal((await mock.request('GET', `${API}/me`)).status, 200);
    // What the server sent before it closed, then the close.
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.resume();
    await closed;
    assert.equal(received.match(/HTTP\/1\.1 200 OK/g)?.length, 16);
    assert.equal(messagesSaying('past the backlog'), 0);
  });

  test('every write acted on before the connection was given up gets its answer', async () => {
    const raw = await rawConnection(mock.base, postMessage('given up').repeat(150));
    const answers = parseAnswers(raw);
    assert.ok(answers.length > 0 && answers.every((answer) => answer.status === 201), raw);
    assert.equal(messagesSaying('given up'), answers.length);
  });

  test('answers still being made when the connection is given up are sent to a client that reads, however slow', async () => {
    // Longer than the grace a client that does not read gets: the writes run past it.
    const slowWrites = Array.from({ length: 16 }, (_, i) =>
      postMessage(`slow ${i}`).replace('\r\n\r\n', '\r\nX-Mock-Fault: delay=2500\r\n\r\n'),
    ).join('');
    const raw = await rawConnection(mock.base, slowWrites + me.repeat(16 + 128 + 40), {
      waitMs: 60_000,
    });
    const answers = parseAnswers(raw);
    assertAnswers(
      answers,
      Array.from({ length: 16 }, (): [number] => [201]),
    );
    for (let i = 0; i < 16; i++) assert.equal(messagesSaying(`slow ${i}`), 1, `slow ${i}`);
  });

  test('a client that reads gets every answer, in order, those that waited included', async () => {
    const raw = await rawConnection(
      mock.base,
      bundle.repeat(30) +
        postMessage('after the wait') +
        me.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'),
      { waitMs: 60_000 },
    );
    const answers = parseAnswers(raw);
    assertAnswers(answers, [...Array.from({ length: 30 }, (): [number] => [200]), [201], [200]]);
    assert.equal(messagesSaying('after the wait'), 1);
  });
});

describe('what Node would answer on its own', () => {
  test('Expect: foo is 417 expectation-failed, with the envelope', async () => {
    const answers = parseAnswers(
      await rawConnection(
        mock.base,
        `GET ${API}/me HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\nExpect: foo\r\nConnection: close\r\n\r\n`,
      ),
    );
    assertAnswers(answers, [[417, 'expectation-failed']]);
  });

  test('Expect: 100-continue with another expectation (in one header or two) is 417 too', async () => {
    for (const expect of ['Expect: 100-continue, foo', 'Expect: 100-continue\r\nExpect: foo']) {
      const answers = parseAnswers(
        await rawConnection(
          mock.base,
          `POST ${API}/contacts HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n${expect}\r\n` +
            `Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n`,
        ),
      );
      assertAnswers(answers, [[417, 'expectation-failed']]);
    }
  });

  test('Expect: 100-continue is met: 100, then the answer', async () => {
    const body = JSON.stringify({ email: 'continue@example.com' });
    const answers = parseAnswers(
      await rawConnection(
        mock.base,
        `POST ${API}/contacts HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\nExpect: 100-continue\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        { during: (socket) => socket.once('data', () => socket.write(body)) },
      ),
    );
    assertAnswers(answers, [[100], [201]]);
  });

  test('Expect: 100-continue on a method the path does not serve: 405 at once, no 100', async () => {
    const answers = parseAnswers(
      await rawConnection(
        mock.base,
        `PUT ${API}/contacts HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\nExpect: 100-continue\r\n` +
          `Content-Type: application/json\r\nContent-Length: 2\r\n\r\n`,
      ),
    );
    assertAnswers(answers, [[405, 'method-not-allowed']]);
  });

  describe('Expect: 100-continue with a declared body over the route limit', () => {
    /** A POST declaring 70 MB, headers only: the body is sent only after a 100 Continue. */
    const oversized = (path: string, expect: boolean) =>
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n` +
      `Content-Type: application/json\r\nContent-Length: 70000000\r\n${expect ? 'Expect: 100-continue\r\n' : ''}\r\n`;

    for (const [route, path] of [
      ['an API route (100 KiB)', `${API}/contacts`],
      ['the admin seed (64 MiB)', '/__admin/seed'],
    ]) {
      test(`${route}: 413 payload-too-large at once, no 100, the same answer as without Expect, and the end`, async () => {
        // The server ends the connection without reading a byte of the body.
        const answers = parseAnswers(await rawConnection(mock.base, oversized(path, true)));
        assertAnswers(answers, [[413, 'payload-too-large']]);
        assert.equal(answers[0].headers.connection, 'close');
        const without = parseAnswers(await rawConnection(mock.base, oversized(path, false)));
        assertAnswers(without, [[413, 'payload-too-large']]);
        assert.equal(answers[0].body, without[0].body);
      });
    }

    test('a declared body within the admin limit (over the API one) is met: 100, then the answer', async () => {
      const body = JSON.stringify({ x: 'a'.repeat(200 * 1024) });
      const raw = await rawConnection(
        mock.base,
        `POST /__admin/seed HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        { during: (socket) => socket.once('data', () => socket.write(body)) },
      );
      // Not a seed (the body is invalid): what matters is that the body was asked for and read.
      assertAnswers(parseAnswers(raw), [[100], [400, 'invalid-request']]);
    });
  });

  test('a body over the limit sent whole, without Expect: the 413 reaches the client still sending it', async () => {
    // The answer comes by the Content-Length, long before the body has arrived: closed at once
    // with that body unread, the connection was reset and fetch lost the answer (EPIPE), most
    // times for 5 MB.
    const body = JSON.stringify({ email: 'big@example.com', name: 'x'.repeat(5_000_000) });
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await fetch(`${mock.base}${API}/contacts`, {
        method: 'POST',
        headers: { 'x-api-key': DEMO_KEYS.acme, 'content-type': 'application/json' },
        body,
      });
      assert.equal(response.status, 413);
      assert.equal(((await response.json()) as { error: string }).error, 'payload-too-large');
    }
  });

  test('a connection closed after an early 413 is let go of at its close, whatever the linger bound', async () => {
    // The bound's timer kept the socket, and the request with all its headers, until it ran out:
    // a flood of large requests over the limit, one connection each, took the mock up 200 MB.
    await withOwnMock(
      async (lingering) => {
        let serverSide: WeakRef<Socket> | undefined;
        lingering.server.app.server.once('connection', (socket: Socket) => {
          serverSide = new WeakRef(socket);
        });
        const body = '{' + 'x'.repeat(120 * 1024);
        const client = connect(Number(new URL(lingering.base).port), '127.0.0.1');
        let received = '';
        client.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
        const closed = new Promise((resolve) => client.once('close', resolve));
        client.end(
          `POST ${API}/contacts HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
        await closed;
        assertAnswers(parseAnswers(received), [[413, 'payload-too-large']]);
        await until(() => {
          collectGarbage();
          return serverSide !== undefined && serverSide.deref() === undefined;
        }, 'the closed connection to be collected');
      },
      { timeouts: { lingerMs: 600_000 } },
    );
  });

  test('CONNECT is 405 method-not-allowed, and the connection ends', async () => {
    const answers = parseAnswers(
      await rawConnection(
        mock.base,
        'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
      ),
    );
    assertAnswers(answers, [[405, 'method-not-allowed']]);
  });

  test('CONNECT behind a delayed request: 200, then 405', async () => {
    await delayNext(`${API}/me`);
    const answers = parseAnswers(
      await rawConnection(mock.base, `${me}CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n`),
    );
    assertAnswers(answers, [[200], [405, 'method-not-allowed']]);
  });

  test('a method Node does not know (FOO): 405 with Allow on a known path, 404 on another, then the end', async () => {
    for (const [method, path, status, allow] of [
      ['FOO', `${API}/me`, 405, 'GET'],
      ['BREW', `${API}/contacts?limit=1`, 405, 'GET, POST'],
      ['FOO', '/__admin/db/contacts', 405, 'GET'],
      ['FOO', '/docs', 405, 'GET, HEAD'],
      ['FOO', `${API}/nothing`, 404, undefined],
      ['FOO', `http://127.0.0.1${API}/me`, 405, 'GET'],
    ] as const) {
      const answers = parseAnswers(
        await rawConnection(
          mock.base,
          `${method} ${path} HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n\r\n`,
        ),
      );
      assertAnswers(answers, [[status, status === 405 ? 'method-not-allowed' : 'not-found']]);
      assert.equal(answers[0].headers.allow, allow, `${method} ${path}`);
      assert.equal(answers[0].headers.connection, 'close');
    }
  });

  test('a method Node does not know behind a delayed request: 200, then its 405', async () => {
    await delayNext(`${API}/me`);
    const answers = parseAnswers(
      await rawConnection(mock.base, `${me}FOO ${API}/me HTTP/1.1\r\nHost: x\r\n\r\n`),
    );
    assertAnswers(answers, [[200], [405, 'method-not-allowed']]);
  });

  test('a method Node does not know on a path that does not decode: 400, as any method; its query is not read', async () => {
    for (const path of [`${API}/webhooks/%ZZ`, `${API}/me%FF`, `http://h${API}/webhooks/%C3%28`]) {
      const answers = parseAnswers(
        await rawConnection(mock.base, `FOO ${path} HTTP/1.1\r\nHost: x\r\n\r\n`),
      );
      assertAnswers(answers, [[400, 'invalid-request']]);
      assert.match(answers[0].body, /percent-encoding/, path);
    }
    const query = parseAnswers(
      await rawConnection(mock.base, `FOO ${API}/me?q=%zz HTTP/1.1\r\nHost: x\r\n\r\n`),
    );
    assertAnswers(query, [[405, 'method-not-allowed']]);
  });

  test('a target of another scheme is told so; a bad escape in an absolute URL is still named', async () => {
    const port = new URL(mock.base).port;
    const messages: string[] = [];
    for (const target of [`ftp://127.0.0.1${API}/me`, `http://127.0.0.1:${port}${API}/%zz`]) {
      const request = me
        .replace(`${API}/me`, target)
        .replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n');
      const [answer] = parseAnswers(await rawConnection(mock.base, request));
      assertAnswers([answer], [[400, 'invalid-request']]);
      messages.push((JSON.parse(answer.body) as { message: string }).message);
    }
    assert.deepEqual(messages, [
      'the request target is neither a path nor an http:// or https:// URL',
      'the path is not a valid URL (a malformed percent-encoding)',
    ]);
  });

  test('the asterisk form (*) is no page: 400 for GET, OPTIONS and POST alike', async () => {
    for (const method of ['GET', 'OPTIONS', 'POST']) {
      const request = `${method} * HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;
      const [answer] = parseAnswers(await rawConnection(mock.base, request));
      assertAnswers([answer], [[400, 'invalid-request']]);
      assert.match(answer.body, /the request target \* names no path/);
    }
  });

  test('bytes that are no request line at all are still malformed', async () => {
    const answers = parseAnswers(await rawConnection(mock.base, 'G@T / HTTP/1.1\r\n\r\n'));
    assertAnswers(answers, [[400, 'invalid-request']]);
  });

  test('QUERY on an unknown path is not-found, as every other method', async () => {
    for (const method of ['QUERY', 'PROPFIND', 'POST']) {
      const answers = parseAnswers(
        await rawConnection(
          mock.base,
          `${method} /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        ),
      );
      assertAnswers(answers, [[404, 'not-found']]);
    }
    const typed = parseAnswers(
      await rawConnection(
        mock.base,
        'POST /nothing HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: 1\r\n' +
          'Connection: close\r\n\r\nx',
      ),
    );
    assertAnswers(typed, [[404, 'not-found']]);
  });
});

describe('a server that stops', () => {
  const delayedRequestRuns = (own: RunningMock) =>
    until(() => own.server.services.faults.empty, 'the delayed request runs');

  /**
   * Sends GET /me (delayed 300 ms by a fault) on a raw connection and stops the server while it
   * runs, then calls `whileStopping` with the socket; resolves with all the server sent once it
   * closed the connection (or `waitMs` passed), and with the stop finished.
   */
  async function stopDuringRequest(
    whileStopping: (socket: Socket) => void,
    waitMs?: number,
    bytes = me,
  ): Promise<string> {
    return withOwnMock(async (stopping, stop) => {
      await delayNext(`${API}/me`, 300, stopping);
      const raw = await rawConnection(stopping.base, bytes, {
        waitMs,
        during: (socket) => {
          void delayedRequestRuns(stopping).then(() => {
            void stop();
            whileStopping(socket);
          });
        },
      });
      await stop();
      return raw;
    });
  }

  test('a request pipelined while it stops is 503 shutting-down, after the one running', async () => {
    const answers = parseAnswers(await stopDuringRequest((socket) => socket.write(me)));
    assertAnswers(answers, [[200], [503, 'shutting-down']]);
    assert.equal(answers[1].headers.connection, 'close');
  });

  test('three requests pipelined while it stops: each its own 503 shutting-down, after the one running', async () => {
    const answers = parseAnswers(await stopDuringRequest((socket) => socket.write(me + me + me)));
    assertAnswers(answers, [
      [200],
      [503, 'shutting-down'],
      [503, 'shutting-down'],
      [503, 'shutting-down'],
    ]);
    // Only the last ends the connection, and says so.
    assert.deepEqual(
      answers.map((answer) => answer.headers.connection === 'close'),
      [false, false, false, true],
    );
  });

  test('a request pipelined before it stops, answered behind the one running: both leave, then the connection ends', async () => {
    // The second answer's head said keep-alive before the stop began; the client never closes,
    // so only the server can end the connection, and must once that answer has left.
    const raw = await stopDuringRequest(() => undefined, 5000, me + me);
    assertAnswers(parseAnswers(raw), [[200], [200]]);
  });

  test('a request on a connection idle as it stops, while another answer runs: 503 shutting-down', async () => {
    await withOwnMock(async (stopping, stop) => {
      // A connection kept alive after its answer, idle when the stop begins.
      const idle = connect(Number(new URL(stopping.base).port), '127.0.0.1');
      let received = '';
      const closed = new Promise((resolve) => idle.on('close', resolve));
      idle.on('data', (chunk) => (received += chunk.toString('latin1')));
      idle.write(me);
      await until(() => /\r\n\r\n\{.*\}$/s.test(received), 'the first answer');
      const first = received;
      await delayNext(`${API}/me`, 1000, stopping);
      const running = rawConnection(stopping.base, me);
      await delayedRequestRuns(stopping);
      void stop();
      idle.write(me);
      await closed;
      assertAnswers(parseAnswers(first), [[200]]);
      const [refused] = parseAnswers(received.slice(first.length));
      assertAnswers([refused], [[503, 'shutting-down']]);
      assert.equal(refused.headers.connection, 'close');
      assertAnswers(parseAnswers(await running), [[200]]);
    });
  });

  test('connections waiting for a request, or the rest of one, do not hold the stop; a body still arriving is told 503', async () => {
    // Node's close stops the header and request timeouts: left open, these held it for good.
    const stopping = await startMock();
    const port = Number(new URL(stopping.base).port);
    const open = (bytes: string) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('latin1')));
      const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
      socket.write(bytes);
      return closed;
    };
    const closed = [
      open(''),
      open(`GET ${API}/me HTTP/1.1\r\nHost: x\r\nX-Partial: yes`),
      open(
        `POST ${API}/contacts HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n` +
          `Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":`,
      ),
    ];
    // Once the server holds all three (and the partial ones have sent what they send).
    let held = 0;
    await until(() => {
      stopping.server.app.server.getConnections((_error, count) => (held = count));
      return held === 3;
    }, 'the three connections');
    await stopping.stop();
    const [idle, partialHead, partialBody] = await Promise.all(closed);
    assert.equal(idle, '');
    assert.equal(partialHead, '');
    // Its head came before the stop: a request still arriving, told so rather than cut off.
    const [refused] = parseAnswers(partialBody);
    assertAnswers([refused], [[503, 'shutting-down']]);
    assert.equal(refused.headers.connection, 'close');
  });

  test('a body that arrives whole while an answer runs at the stop is acted on: 201', async () => {
    await withOwnMock(async (stopping, stop) => {
      const body = '{"email":"arrives-late@example.com"}';
      let received = '';
      const late = connect(Number(new URL(stopping.base).port), '127.0.0.1');
      const closed = new Promise((resolve) => late.on('close', resolve));
      late.on('data', (chunk) => (received += chunk.toString('latin1')));
      late.write(
        `POST ${API}/contacts HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
      );
      await delayNext(`${API}/me`, 1000, stopping);
      const running = rawConnection(stopping.base, me);
      await delayedRequestRuns(stopping);
      const stopped = stop();
      late.write(body.slice(5));
      await closed;
      const [created] = parseAnswers(received);
      assertAnswers([created], [[201]]);
      assert.equal(created.headers.connection, 'close');
      assertAnswers(parseAnswers(await running), [[200]]);
      await stopped;
    });
  });

  test('a pipelined pair whose client left does not hold the stop; the answer running leaves', async () => {
    await withOwnMock(async (stopping, stop) => {
      await delayNext(`${API}/me`, 2000, stopping);
      const running = rawConnection(stopping.base, me);
      // A pipelined pair whose client leaves: its second answer is still queued.
      const leaving = connect(Number(new URL(stopping.base).port), '127.0.0.1');
      leaving.on('error', () => undefined);
      leaving.write(`${me.replace('\r\n\r\n', '\r\nX-Mock-Fault: delay=3000\r\n\r\n')}${me}`);
      await delayedRequestRuns(stopping);
      const stopped = stop();
      leaving.destroy();
      await stopped;
      assertAnswers(parseAnswers(await running), [[200]]);
    });
  }, 30_000);

  test('the answer running on a kept-alive connection as it stops says close, and the stop does not wait for the client', async () => {
    // The client never closes: only the server can end the connection, and must, promptly
    // (Node would otherwise keep it for its keep-alive timeout, 72 s).
    const raw = await stopDuringRequest(() => undefined, 5000);
    const answers = parseAnswers(raw);
    assertAnswers(answers, [[200]]);
    assert.equal(answers[0].headers.connection, 'close', raw);
    assert.equal(answers[0].headers['keep-alive'], undefined, raw);
  });
});
