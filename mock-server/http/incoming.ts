/**
 * What every request must be before any route of either API sees it, and what the server notes
 * on it: the server is not stopping; an HTTP/1.1 request names its Host; an `Expect` is one the
 * server can meet; a header the API reads has one value; the route exists (whatever the method
 * or body); a body is JSON in UTF-8, not compressed, nested at most MAX_JSON_DEPTH deep (deeper
 * is bad input, not a stack overflow in the validator).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Workspace } from '../../schemas/generated';
import { hasUnmetExpectation, isStopping } from './connections';
import { ApiError, noSuchRoute, shuttingDown } from './errors';
import type { KnownPaths } from './other-methods';

/** How deep objects and arrays may nest in a body; the deepest real one (a seed) needs 6. */
export const MAX_JSON_DEPTH = 32;
/**
 * How many objects and arrays a body may hold. Each costs the parse some 30 to 60 bytes of heap
 * for the 2 or 3 it takes in JSON: 10 MB of `{},{},…` sent to /__admin/seed took 340 MB to refuse
 * (and V8 kept it). A seed of 100,000 contacts holds about 300,000; an API body (100 KiB) never
 * comes near.
 */
export const MAX_JSON_CONTAINERS = 1_000_000;

declare module 'fastify' {
  interface FastifyRequest {
    /** The workspace of the request's API key, once authenticated. */
    workspace: Workspace | null;
    /** The body as it arrived (before schema defaults), for the request journal. */
    receivedBody: string | null;
  }
}

export function installIncomingChecks(app: FastifyInstance, knownPaths: KnownPaths): void {
  app.decorateRequest('workspace', null);
  app.decorateRequest('receivedBody', null);

  // One hook for every check, a callback rather than async: it runs on every request, and each
  // hook call and promise cost more than the checks themselves.
  app.addHook('onRequest', (request, _reply, done) => {
    // A request on a connection kept alive, or pipelined behind one still running, once the
    // server has begun to stop (in-flight ones finish).
    // Refused on the next turn: Node first parses the rest of what the client sent, so the
    // requests pipelined behind this one are known, each gets its own 503, and the last closes.
    if (isStopping(app.server)) {
      setImmediate(done, shuttingDown());
      return;
    }
    // Node's own check answers a missing Host with an empty 400; it is off so that this answers.
    if (request.raw.httpVersion === '1.1' && !request.headers.host) {
      return done(new ApiError('invalid-request', 'an HTTP/1.1 request needs a Host header'));
    }
    // The asterisk form names the server as a whole (RFC 9112 §3.2.4), not a page or a route:
    // the router would take it for the dashboard.
    if (request.raw.url === '*') {
      return done(new ApiError('invalid-request', 'the request target * names no path: name one'));
    }
    if (request.headers.expect !== undefined && hasUnmetExpectation(request.raw)) {
      return done(
        new ApiError('expectation-failed', 'the only expectation the server meets is 100-continue'),
      );
    }
    const conflict = conflictingHeader(request);
    if (conflict) {
      return done(
        new ApiError('invalid-request', `${conflict} is sent twice with different values`),
      );
    }
    // Before the body is read: an unknown route is not-found whatever the method (QUERY needs a
    // Content-Type) or the body (another media type) would make of it. A known path's other
    // methods go on to the checks of its plugin, then to their 405 (other-methods.ts).
    if (request.is404 && !knownPaths.find(request.url)) {
      return done(noSuchRoute());
    }
    done();
  });

  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  // Read as bytes: read as text, bytes that are not UTF-8 became U+FFFD and were stored so.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    const refusal = encodingRefusal(request.headers);
    // No bytes is no body, whatever the Content-Type: many clients send theirs on every call
    // (a DELETE included). A route that needs a body then refuses its absence as any other.
    if (bytes.length === 0 && !refusal) {
      request.receivedBody = '';
      return done(null, undefined);
    }
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      request.receivedBody = bytes.toString('utf8');
      done(refusal ?? new ApiError('invalid-request', 'the body is not valid UTF-8'), undefined);
      return;
    }
    request.receivedBody = text;
    if (refusal) return done(refusal, undefined);
    const beyond = jsonShapeBeyond(text, MAX_JSON_DEPTH, MAX_JSON_CONTAINERS);
    if (beyond) {
      const why =
        beyond === 'depth'
          ? `nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`
          : `holds more than ${MAX_JSON_CONTAINERS.toLocaleString('en')} objects and arrays`;
      return done(new ApiError('invalid-request', `the body ${why}`), undefined);
    }
    void parseJson(request, text, (error, value) =>
      // fastify's parser says "not valid JSON" for a forbidden key too: name the key instead.
      done(error && isJson(text) ? forbiddenKey() : error, value),
    );
  });
}

/**
 * What a body of valid JSON with a `__proto__` key, or a `constructor` holding `prototype`,
 * gets: fastify refuses them, as merging one into an object could change what every object of
 * the mock inherits.
 */
function forbiddenKey(): ApiError {
  return new ApiError(
    'invalid-request',
    'the body has a "__proto__" or "constructor": {"prototype": …} key, which the mock refuses',
  );
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Strict UTF-8: a byte sequence that is not UTF-8 throws. A byte order mark is kept in the text,
 * as when fastify read the body as text; its JSON parser skips one.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The headers the server reads, by each of their names: one value each, never two merged. */
const SINGLE_VALUED = new Map([
  // Node keeps the first Host and drops the rest, which the admin guard would then check alone.
  ['host', 'Host'],
  ['x-api-key', 'X-API-Key'],
  ['idempotency-key', 'Idempotency-Key'],
  ['x-idempotency-key', 'Idempotency-Key'],
  ['content-type', 'Content-Type'],
]);

/**
 * A value as it compares with another of the same header. A host name and a media type (its
 * parameters' names and charset too) are case-insensitive, and a media type's parameters may be
 * spaced either way and their values quoted or not (RFC 9110 §5.6.6); keys are compared exactly.
 */
function comparable(header: string, value: string): string {
  if (header === 'Host') return value.toLowerCase();
  if (header === 'Content-Type')
    return value
      .toLowerCase()
      .replace(/\s*([;=])\s*/g, '$1')
      .replace(/="([^"\\]*)"/g, '=$1')
      .trim();
  return value;
}

/**
 * The header sent with two different values, if one was (Node joins two X-API-Key headers into
 * "a, b", and keeps only the first Content-Type). The same value twice counts once: the joined
 * value Node made of it is put back to the first one.
 */
function conflictingHeader(request: FastifyRequest): string | null {
  const raw = request.raw.rawHeaders;
  let seen: Map<string, string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const header = SINGLE_VALUED.get(name);
    if (header === undefined) continue;
    seen ??= new Map();
    const earlier = seen.get(header);
    if (earlier === undefined) seen.set(header, raw[i + 1]);
    else if (comparable(header, earlier) !== comparable(header, raw[i + 1])) return header;
    else request.headers[name] = earlier;
  }
  return null;
}

/** A body sent compressed, or in a charset other than UTF-8: 415. */
function encodingRefusal(headers: Record<string, string | string[] | undefined>): ApiError | null {
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
  return null;
}

/**
 * Which bound the JSON text breaks, if any, read before it is parsed (in one pass, outside
 * strings): objects and arrays nested deeper than `maxDepth`, or more of them than
 * `maxContainers` in all.
 */
export function jsonShapeBeyond(
  text: string,
  maxDepth: number,
  maxContainers: number,
): 'depth' | 'containers' | null {
  let depth = 0;
  let containers = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i++; // a backslash escapes the next character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) {
      if (++depth > maxDepth) return 'depth';
      if (++containers > maxContainers) return 'containers';
    } else if (char === 0x7d || char === 0x5d) depth--;
  }
  return null;
}
