/**
 * Runs before each test file (jest `setupFiles`): nothing a test runs in its own process
 * connects off this machine. Several tests subscribe made-up public target URLs
 * (`https://hooks.zapier.com/…`, the fuzzer's random ones) and then make events happen, and the
 * mock in the test's process delivered them for real: with a network, webhooks went to whatever
 * host those URLs named. A connection to anything but loopback now fails at once, before any
 * DNS lookup, with an error that says why; such a delivery fails like one to a host that is down.
 * Child processes (the mock's CLI, the Zapier CLI, a browser) are given loopback URLs by their
 * tests, or run in a network namespace of their own.
 */
import net from 'node:net';
import { isLoopbackHost } from '../../mock-server/domain/addresses';

const GUARDED = Symbol.for('chatting-zapier.test.loopback-only');

type Guardable = typeof net.Socket.prototype & { [GUARDED]?: true };

/** Where a `socket.connect(...)` call goes: a host name or address, or null for a local pipe. */
function destination(args: unknown[]): string | null {
  // net.connect hands its normalised arguments over as one array.
  const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: unknown; path?: unknown };
    if (typeof options.path === 'string') return null;
    return typeof options.host === 'string' ? options.host : 'localhost';
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return null; // a pipe's path
  return typeof second === 'string' ? second : 'localhost';
}

const prototype = net.Socket.prototype as Guardable;
if (!prototype[GUARDED]) {
  // Node's own connect, called on the socket with the arguments exactly as they came (all of
  // its overloads).
  const connect = Reflect.get(prototype, 'connect') as unknown as (
    this: net.Socket,
    ...args: unknown[]
  ) => net.Socket;
  Reflect.set(prototype, 'connect', function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const host = destination(args);
    if (host !== null && !isLoopbackHost(host)) {
      const refused = new Error(`a test may not connect off this machine (to ${host})`);
      process.nextTick(() => this.destroy(refused));
      return this;
    }
    return connect.apply(this, args);
  });
  prototype[GUARDED] = true;
}
