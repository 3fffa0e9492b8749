/** Raw bytes to a server on 127.0.0.1, for what an HTTP client library would not send. */
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  /** The parsed JSON body, or undefined when there is none. */
  body: unknown;
  raw: string;
}

/**
 * Writes `bytes` and resolves with the server's answer. `keepOpen` leaves the connection open
 * after them, as a client that stalls mid-request.
 */
export function rawRequest(
  base: string,
  bytes: string | Buffer,
  options: { keepOpen?: boolean; waitMs?: number } = {},
): Promise<RawAnswer> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
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
        resolve({ status, body: text ? JSON.parse(text) : undefined, raw });
      } catch {
        reject(new Error(`not JSON: ${raw}`));
      }
    });
    if (options.keepOpen) socket.write(bytes);
    else socket.end(bytes);
  });
}
