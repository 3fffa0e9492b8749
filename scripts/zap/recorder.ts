/**
 * A recording relay between the app and the API: the app is pointed at it (a loopback URL), it
 * forwards each request to the real base URL and keeps both sides, so a run can print exactly
 * what each step sent and what came back, whichever API it talks to.
 */
import { createServer } from 'node:http';
import { checkedBaseUrl } from '../../src/client';

export interface Exchange {
  method: string;
  /** The path below the base URL, with its query: `/conversations?limit=1`. */
  path: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  /** The answer's status, or null when the API gave none (answerBody then says why). */
  status: number | null;
  answerHeaders: Record<string, string>;
  answerBody: string;
}

export interface Recorder {
  /** The base URL to give the app. */
  base: string;
  exchanges: Exchange[];
  /**
   * A step was interrupted: the requests being forwarded are aborted, and those that arrive
   * until `resume()` are refused; each is answered 502 at once and recorded so.
   */
  interrupt(): void;
  /** Forwards again (the unsubscribe after an interruption). */
  resume(): void;
  close(): Promise<void>;
}

/** Why a fetch got no answer: its cause's code (ECONNREFUSED…); fetch's own says only "fetch failed". */
export function fetchFailure(error: Error): string {
  return (error.cause as NodeJS.ErrnoException | undefined)?.code ?? error.message;
}

/** Headers that describe one hop, not the message; fetch sets its own. */
const HOP_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'accept-encoding',
  'content-encoding',
  'keep-alive',
]);

function endToEnd(headers: Iterable<[string, string]>): Record<string, string> {
  return Object.fromEntries([...headers].filter(([name]) => !HOP_HEADERS.has(name.toLowerCase())));
}

/**
 * A relay to `target`. The app sees only the relay's loopback URL, so the app's own rule for
 * its base URL (https unless loopback or CHATTING_ALLOW_HTTP=1) is applied to `target` here:
 * the relay never carries the API key somewhere the app itself would refuse to.
 */
export async function startRecorder(target: string): Promise<Recorder> {
  const forwardTo = checkedBaseUrl(target);
  const exchanges: Exchange[] = [];
  const inFlight = new Set<AbortController>();
  let refusing = false;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const method = request.method ?? 'GET';
      const path = request.url ?? '/';
      const requestHeaders = endToEnd(
        Object.entries(request.headers).map(([k, v]) => [k, String(v)] as [string, string]),
      );
      const requestBody = Buffer.concat(chunks).toString('utf8');
      const record = (
        status: Exchange['status'],
        answerHeaders: Record<string, string>,
        answerBody: string,
      ) =>
        exchanges.push({
          method,
          path,
          requestHeaders,
          requestBody,
          status,
          answerHeaders,
          answerBody,
        });
      const interrupt = new AbortController();
      inFlight.add(interrupt);
      if (refusing) interrupt.abort();
      void fetch(`${forwardTo}${path}`, {
        method,
        headers: requestHeaders,
        body: requestBody && method !== 'GET' ? requestBody : undefined,
        signal: AbortSignal.any([AbortSignal.timeout(30_000), interrupt.signal]),
      })
        .then(async (answer) => {
          const answerBody = await answer.text();
          const answerHeaders = endToEnd(answer.headers.entries());
          record(answer.status, answerHeaders, answerBody);
          response.writeHead(answer.status, answerHeaders);
          response.end(answerBody);
        })
        .catch((error: Error) => {
          // Chatting never answered: the log names the real cause (fetch's own says only
          // "fetch failed"), and the app gets no answer either (its connection is dropped), as it
          // would talking to the API itself: a 502 of ours read as a failure on Chatting's side.
          if (!interrupt.signal.aborted) {
            record(null, {}, `the relay could not reach ${forwardTo}: ${fetchFailure(error)}`);
            response.destroy();
            return;
          }
          const answerBody = JSON.stringify({
            ok: false,
            error: 'internal-error',
            message: `interrupted before ${forwardTo} answered: it may still have carried the request out`,
          });
          record(502, {}, answerBody);
          response.writeHead(502, { 'content-type': 'application/json' });
          response.end(answerBody);
        })
        .finally(() => inFlight.delete(interrupt));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    exchanges,
    interrupt: () => {
      refusing = true;
      for (const request of inFlight) request.abort();
    },
    resume: () => {
      refusing = false;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
