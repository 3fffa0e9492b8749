/** Raw bytes to a server (at the host and port of `base`), for what an HTTP client library would not send. */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  /** The parsed JSON body, or undefined when there is none. */
  body: unknown;
  raw: string;
}

export interface RawOptions {
  /** Leaves the connection open after the bytes, as a client that stalls mid-request. */
  keepOpen?: boolean;
  waitMs?: number;
  /** The answer is a page, not JSON: its text is in `raw` only. */
  page?: boolean;
}

/** One request as data, for a client in another process (raw-http-cli.ts). */
export interface RawRequest {
  base: string;
  bytes: string;
  options?: RawOptions;
}

/** Writes `bytes` and resolves with the server's answer; it must be JSON unless `page`. */
export function rawRequest(
  base: string,
  bytes: string | Buffer,
  options: RawOptions = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
    let raw = '';
    socket.setTimeout(options.waitMs ?? 5000, () => socket.destroy(new Error(`no answer: ${raw}`)));
    socket.on('data', (chunk) => {
      raw += chunk.toString('latin1');
      // A kept-alive connection stays open: a complete answer is enough.
      const [head, body = ''] = raw.split('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? NaN);
      if (Buffer.byteLength(body, 'latin1') === length) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = raw.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      const text = rest.join('\r\n\r\n');
      try {
        resolve({ status, body: text && !options.page ? JSON.parse(text) : undefined, raw });
      } catch {
        reject(new Error(`not JSON: ${raw}`));
      }
    });
    if (options.keepOpen) socket.write(bytes);
    else socket.end(bytes);
  });
}

export interface ParsedAnswer {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/**
 * A whole connection: writes `bytes` (without half-closing: the server takes that as a client
 * that left), lets `during` run with the socket (to write more later), and resolves with
 * everything the server sent once it closes the connection. A server that neither answers nor
 * closes fails it after `waitMs`.
 */
export function rawConnection(
  base: string,
  bytes: string | Buffer,
  options: { waitMs?: number; during?: (socket: Socket) => void } = {},
): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let raw = '';
    socket.setTimeout(options.waitMs ?? 10_000, () =>
      socket.destroy(new Error(`the server did not close the connection; it sent: ${raw}`)),
    );
    socket.on('data', (chunk) => (raw += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(raw));
    socket.write(bytes);
    options.during?.(socket);
  });
}

/** The answers in what a server sent on one connection, in order (bodies by Content-Length). */
export function parseAnswers(raw: string): ParsedAnswer[] {
  const answers: ParsedAnswer[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) throw new Error(`an incomplete answer: ${rest}`);
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1]);
    if (!status) throw new Error(`not a status line: ${statusLine}`);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const bodyStart = end + 4;
    answers.push({ status, headers, body: rest.slice(bodyStart, bodyStart + length) });
    rest = rest.slice(bodyStart + length);
  }
  return answers;
}
