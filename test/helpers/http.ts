/** HTTP requests for the tests: a JSON body or a raw one, an API key, a bounded wait. */

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // A parsed JSON body; the schemas check its shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON
  body: any;
}

export interface Send {
  /** Sent as X-API-Key; `null` sends none, absent sends `defaultKey`. */
  key?: string | null;
  body?: unknown;
  /** A raw body, sent as is. */
  raw?: string;
  headers?: Record<string, string>;
}

export async function send(
  url: string,
  method: string,
  options: Send & { defaultKey?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? options.defaultKey : options.key;
  if (key !== null && key !== undefined) headers['x-api-key'] = key;
  let body = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}
