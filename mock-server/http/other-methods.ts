/**
 * 405 with Allow for every method a known path does not serve, including the ones no route uses
 * (TRACE, PROPFIND...: the server knows every method Node parses), for every route of the server
 * as it is added. The paths are kept in one table, looked up only for a request the router found
 * no route for: a route per path and refused method (about 900 of them) took half the time of
 * creating a server, as the router compiled each (docs/decisions.md).
 *
 * Such a request is answered where its own route's checks would have run:
 * - an unknown path is 404 in onRequest, before any plugin's checks (installIncomingChecks);
 * - a known path's other method is 405 in preParsing: after the onRequest hooks of the plugin it
 *   belongs to (faults and the key check, the admin guard: a prefixed plugin answers its own
 *   not-found requests, see ownNotFoundContext), before a body is read, which another media type
 *   would make a 415, and before 100 Continue invites one.
 */
import type { FastifyInstance } from 'fastify';
import FindMyWay from 'find-my-way';
import { answerNotFound, ApiError, malformedPath, noSuchRoute } from './errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Why the path refuses other methods, instead of a message listing the ones it serves. */
    otherMethods?: string;
    /** The route only answers its path's 405 (answerShadowedMethods): it serves nothing. */
    shadowed?: boolean;
  }
}

interface Served {
  methods: string[];
  why: string | undefined;
}

export class KnownPaths {
  private readonly router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;

  /** `maxParamLength` as the server's router has it, so that both match the same paths. */
  constructor(maxParamLength: number) {
    this.router = FindMyWay({ maxParamLength });
  }

  /** A route's path (prefixed, as fastify registered it) serves `method`. */
  add(url: string, method: string, why: string | undefined): void {
    // One tree (GET) holds every path: the methods are in each path's store, not the router's.
    const known = this.router.findRoute('GET', url)?.store as Served | undefined;
    if (known) known.methods.push(method);
    else this.router.on('GET', url, () => undefined, { methods: [method], why });
  }

  /** The Allow header of a 405 for a request's URL, or undefined if no route has its path. */
  allowFor(url: string): string | undefined {
    const served = this.find(url);
    return served && allowHeader(served);
  }

  /** What the path of a request's URL (query and all) serves, or undefined if no route has it. */
  find(url: string): Served | undefined {
    return this.router.find('GET', url)?.store as Served | undefined;
  }
}

/**
 * Notes every route the server adds, and answers 405 for the other methods of its path. Installed
 * before any other preParsing hook: the 405 comes before 100 Continue.
 */
export function installOtherMethods(app: FastifyInstance, paths: KnownPaths): void {
  app.addHook('onRoute', (route) => {
    if (route.config?.shadowed) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) paths.add(route.url, method, route.config?.otherMethods);
  });
  app.addHook('preParsing', (request, _reply, payload, done) => {
    if (!request.is404) return done(null, payload);
    // Unknown paths were answered in onRequest: this one is known.
    done(otherMethodRefusal(request.method, paths.find(request.url) as Served));
  });
}

/** The Allow header of a 405 on a path: the methods it serves. */
function allowHeader(served: Served): string {
  return served.methods.join(', ');
}

function otherMethodRefusal(method: string, served: Served): ApiError {
  const allow = allowHeader(served);
  return new ApiError(
    'method-not-allowed',
    served.why ?? `${method} is not served here, only ${allow}`,
    { allow },
  );
}

/**
 * A path without parameters whose other methods the router would give to a route with one
 * (`DELETE /webhooks/subscribe` is `DELETE /webhooks/:id` with the id "subscribe" to it): the
 * path itself wins, as in openapi.yaml, so each such method gets a route on that path answering
 * its 405, in onRequest (after the plugin's checks, before the body). `routes` are one plugin's,
 * as it registers them.
 */
export function answerShadowedMethods(
  app: FastifyInstance,
  routes: { method: string; url: string }[],
): void {
  const parametric = routes.filter(({ url }) => url.includes(':'));
  for (const url of new Set(routes.map((route) => route.url))) {
    if (/[:*]/.test(url)) continue;
    const served = routes.filter((route) => route.url === url).map((route) => route.method);
    const shadowing = new Set(
      parametric
        .filter(({ method }) => !served.includes(method))
        .filter((route) => new RegExp(`^${route.url.replace(/:\w+/g, '[^/]+')}$`).test(url))
        .map(({ method }) => method),
    );
    for (const method of shadowing) {
      app.route({
        method,
        url,
        exposeHeadRoute: false,
        config: { shadowed: true },
        onRequest: (request, _reply, done) =>
          done(otherMethodRefusal(request.method, { methods: served, why: undefined })),
        // Never reached (onRequest answers), but fastify wants a handler.
        handler: async () => undefined,
      });
    }
  }
}

/** The characters of an HTTP token (RFC 9110), such as a method. */
const TOKEN_CHARACTERS = "[!#$%&'*+.^_`|~0-9A-Za-z-]";
const TOKEN_CHARACTER = new RegExp(`^${TOKEN_CHARACTERS}$`);
/** An HTTP method token, its target, and the version, as a request line has them. */
const REQUEST_LINE = new RegExp(`^(${TOKEN_CHARACTERS}+) (\\S+) HTTP/1\\.[01]\\r?$`);

/**
 * For a request whose method Node's parser does not know (`FOO /path`, which it refuses before
 * fastify sees a request): 405 on a known path, 404 on another, as for a method it knows. Read
 * from the request line in the bytes the parser stopped in (`offset`: where it stopped); null
 * when that is no request line (bad bytes). The plugin's checks cannot run on it, and its
 * connection ends after the answer: how much body follows is unknown.
 */
export function unknownMethodRefusal(
  packet: unknown,
  offset: number | undefined,
  paths: KnownPaths,
): ApiError | null {
  // Node gives the bytes as a Buffer (fastify's types say otherwise).
  if (!Buffer.isBuffer(packet)) return null;
  const text = packet.toString('latin1');
  // The method is the run of token characters the parser stopped in. Its line may begin right
  // after the body of a request pipelined before it (`…"hi"}FOO /me HTTP/1.1`), with no line
  // break between them; a JSON object's closing `}` is no token character. A body that ends in
  // one (text, a bare `true`) runs into the method's name in the message (`helloFOO`); the
  // status and Allow, from the path, are right all the same.
  let start = Math.min(offset ?? 0, text.length);
  while (start > 0 && TOKEN_CHARACTER.test(text[start - 1])) start--;
  const end = text.indexOf('\n', start);
  const line = REQUEST_LINE.exec(text.slice(start, end === -1 ? undefined : end));
  if (!line) return null;
  const [, method, target] = line;
  // As the router would refuse it for a method it knows: a path (not its query) that does not
  // decode, a malformed escape or bytes that are not UTF-8.
  const path = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split(/[?#]/)[0];
  try {
    decodeURIComponent(path);
  } catch {
    return malformedPath();
  }
  // The router reads an absolute-form target (`http://host/path`) by its path, as fastify's.
  const served = paths.find(target);
  return served ? otherMethodRefusal(method, served) : noSuchRoute();
}

/**
 * For a plugin with its own prefix and onRequest hooks: requests under the prefix that no route
 * takes run those hooks too (fastify gives each not-found handler the hooks of the plugin that
 * set it), so a path's other methods meet the same checks as its routes before their 405.
 */
export function ownNotFoundContext(app: FastifyInstance): void {
  app.setNotFoundHandler(answerNotFound);
}
