/**
 * /__admin/db: json-server's router over the database, read-only. QA gets its query language
 * over the raw state (`/__admin/db/contacts?email_like=ava&_sort=created_at`) with no code of
 * ours. Each request reads the collection it names from the database (all of them for
 * `_expand`/`_embed`, which join across collections, and for `/db`, which is everything), so
 * the server holds nothing in memory between requests; json-server never writes anything.
 * References are `<name>_id` fields (`?_expand=workspace` follows `workspace_id`).
 */
import fastifyExpress from '@fastify/express';
import type { NextFunction, Request, Response } from 'express';
import type { FastifyInstance } from 'fastify';
import type * as JsonServer from 'json-server';
import { ApiError, sendError } from '../errors';
import type { Services } from '../services';
import { COLLECTION_NAMES, type CollectionName } from '../store/collections';

export function dbBrowser(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(fastifyExpress);
    // Express 5 parses req.query anew on every read, while json-server deletes the keys it has
    // handled from it: without a plain writable copy, _sort or q would silently match nothing.
    app.use((request: Request, _response: Response, next: NextFunction) => {
      Object.defineProperty(request, 'query', { value: { ...request.query }, writable: true });
      next();
    });
    app.use((request: Request, response: Response, next: NextFunction) => {
      if (request.method === 'GET' || request.method === 'HEAD') return next();
      response
        .status(405)
        .set('allow', 'GET, HEAD')
        .json({ ok: false, error: 'method-not-allowed', message: 'the db browser is read-only' });
    });
    app.use((request: Request, response: Response, next: NextFunction) => {
      // The express app sees the whole path; json-server routes from the collection's name.
      if (request.url.startsWith(app.prefix)) request.url = request.url.slice(app.prefix.length);
      const name = request.path.split('/')[1] ?? '';
      if (name === 'db' && request.path.replace(/\/$/, '') === '/db') {
        response.json(services.store.snapshot());
        return;
      }
      if (!(COLLECTION_NAMES as string[]).includes(name)) return next();
      const refusal = unrunnableQuery(request.query);
      if (refusal) {
        response.status(400).json({ ok: false, error: 'invalid-request', message: refusal });
        return;
      }
      const joins = '_expand' in request.query || '_embed' in request.query;
      const router = jsonServer().router(
        services.store.snapshot(joins ? COLLECTION_NAMES : [name as CollectionName]),
        { foreignKeySuffix: '_id' },
      );
      router.render = (routed: Request, routedResponse: Response) => {
        if (routedResponse.statusCode >= 400) {
          routedResponse.json({
            ok: false,
            error: 'not-found',
            message: `nothing at ${routed.originalUrl}`,
          });
          return;
        }
        routedResponse.json(routedResponse.locals.data);
      };
      router(request, response, next);
    });
    // The middleware above runs only for requests that reach a route of this plugin: these
    // catch-alls give it every path (and answer whatever json-server leaves unanswered).
    app.route({
      method: ['GET', 'HEAD'],
      url: '/*',
      handler: async (_request, reply) => sendError(reply, new ApiError('not-found')),
    });
    app.route({
      method: app.supportedMethods.filter((method) => method !== 'GET' && method !== 'HEAD'),
      url: '/*',
      config: { methodNotAllowed: true },
      handler: async (_request, reply) =>
        sendError(
          reply,
          new ApiError('method-not-allowed', 'the db browser is read-only', { allow: 'GET, HEAD' }),
        ),
    });
  };
}

/**
 * Why json-server could not run a query, if it could not: a `_like` value is a regular
 * expression, and json-server throws on an invalid one past where an error can be answered.
 */
function unrunnableQuery(query: Record<string, unknown>): string | null {
  for (const [key, value] of Object.entries(query)) {
    if (!key.endsWith('_like')) continue;
    for (const pattern of [value].flat()) {
      try {
        new RegExp(String(pattern), 'i');
      } catch (error) {
        return `${key}: ${(error as Error).message}`;
      }
    }
  }
  return null;
}

let loaded: typeof JsonServer | undefined;

/** json-server (and the express it brings) is loaded at the first browse: 13 MB of RSS. */
function jsonServer(): typeof JsonServer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
  loaded ??= require('json-server') as typeof JsonServer;
  return loaded;
}
