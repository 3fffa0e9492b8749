/**
 * What every request must be before any route of either API sees it, and what the server notes
 * on it: an HTTP/1.1 request names its Host; a body is JSON in UTF-8, not compressed, nested at
 * most MAX_JSON_DEPTH deep (deeper is bad input, not a stack overflow in the validator).
 */
import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../schemas/generated';
import { ApiError } from './errors';

/** How deep objects and arrays may nest in a body; the deepest real one (a seed) needs 6. */
export const MAX_JSON_DEPTH = 32;

declare module 'fastify' {
  interface FastifyRequest {
    /** The workspace of the request's API key, once authenticated. */
    workspace: Workspace | null;
    /** The body as it arrived (before schema defaults), for the request journal. */
    receivedBody: string | null;
  }
}

export function installIncomingChecks(app: FastifyInstance): void {
  app.decorateRequest('workspace', null);
  app.decorateRequest('receivedBody', null);

  // Node's own check answers a missing Host with an empty 400; it is off so that this one answers.
  // A callback, not an async hook: it runs on every request, and a promise cost more than it.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.raw.httpVersion === '1.1' && !request.headers.host) {
      return done(new ApiError('invalid-request', 'an HTTP/1.1 request needs a Host header'));
    }
    done();
  });

  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    request.receivedBody = text;
    const refusal = bodyRefusal(request.headers, text);
    if (refusal) {
      done(refusal, undefined);
      return;
    }
    void parseJson(request, text, done);
  });
}

function bodyRefusal(
  headers: Record<string, string | string[] | undefined>,
  text: string,
): ApiError | null {
  const encoding = String(headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding !== 'identity' && encoding !== '') {
    return new ApiError(
      'unsupported-media-type',
      `Content-Encoding ${encoding} is not accepted: send the body uncompressed`,
    );
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(String(headers['content-type']))?.[1];
  if (charset && !/^(utf-?8|us-ascii)$/i.test(charset)) {
    return new ApiError('unsupported-media-type', `send the body as UTF-8 JSON, not ${charset}`);
  }
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    return new ApiError(
      'invalid-request',
      `the body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  return null;
}

/** True when JSON text opens more than `limit` objects or arrays at once (strings skipped). */
export function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i++; // a backslash escapes the next character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) {
      if (++depth > limit) return true;
    } else if (char === 0x7d || char === 0x5d) depth--;
  }
  return false;
}
