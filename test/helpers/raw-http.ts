/** Raw bytes to a server (at the host and port of `base`), for what an HTTP client library would not send. */
import { connect } from 'node:net';

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
