/**
 * /__admin/db: json-server's router over the database, read-only. QA gets its query language
 * over the raw state (`/__admin/db/contacts?email_like=ava&_sort=created_at`) with no code of
 * ours. Each request reads the collection it names from the database (all of them for
 * `_expand`/`_embed`, which join across collections, and for `/db`, which is everything), so
 * the server holds nothing in memory between requests; json-server never writes anything.
 * References are `<name>_id` fields (`?_expand=workspace` follows `workspace_id`).
 *
 * json-server runs in its own express app, loaded at the first browse and handed the raw
 * request once fastify's hooks (the admin guard) have passed it.
 */
import type { Express, NextFunction, Request, Response } from 'express';
import type { FastifyInstance } from 'fastify';
import type * as JsonServer from 'json-server';
import { ApiError, sendError } from '../http/errors';
import type { Services } from '../domain/services';
import { COLLECTION_NAMES, type CollectionName } from '../store/collections';

export function dbBrowser(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    app.route({
      method: 'GET',
      url: '/*',
      // GET only, as openapi.yaml lists it (HEAD is a 405, like every other method).
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const url = new URL(request.url.slice(app.prefix.length) || '/', 'http://db');
        const name = url.pathname.split('/')[1] ?? '';
        if (url.pathname.replace(/\/$/, '') === '/db') return services.store.snapshot();
        if (!(COLLECTION_NAMES as string[]).includes(name)) {
          return sendError(reply, new ApiError('not-found', `no collection ${name}`));
        }
        const refusal = unrunnableQuery(url.searchParams);
        if (refusal) return sendError(reply, new ApiError('invalid-request', refusal));
        const joins = url.searchParams.has('_expand') || url.searchParams.has('_embed');
        const data = services.store.snapshot(joins ? COLLECTION_NAMES : [name as CollectionName]);
        reply.hijack();
        browser(data, app.prefix)(request.raw as Request, reply.raw as Response);
      },
    });
    app.route({
      method: app.supportedMethods.filter((method) => method !== 'GET'),
      url: '/*',
      config: { methodNotAllowed: true },
      handler: async (_request, reply) =>
        sendError(
          reply,
          new ApiError('method-not-allowed', 'the db browser is read-only: only GET', {
            allow: 'GET',
          }),
        ),
    });
  };
}

/** An express app serving json-server's router over `data` at `prefix`; every answer JSON. */
function browser(data: object, prefix: string): Express {
  const server = jsonServer().create();
  const router = jsonServer().router(data, { foreignKeySuffix: '_id' });
  router.render = (request: Request, response: Response) => {
    if (response.statusCode >= 400) {
      response.json({
        ok: false,
        error: 'not-found',
        message: `nothing at ${request.originalUrl}`,
      });
    } else {
      response.json(response.locals.data);
    }
  };
  server.use(prefix, router);
  server.use((_request: Request, response: Response) => {
    response.status(404).json({ ok: false, error: 'not-found' });
  });
  server.use((error: Error, _request: Request, response: Response, _next: NextFunction) => {
    response.status(500).json({ ok: false, error: 'internal-error', message: error.message });
  });
  return server;
}

/**
 * Why json-server could not run a query, if it could not: a `_like` value is a regular
 * expression, and json-server throws on an invalid one.
 */
function unrunnableQuery(query: URLSearchParams): string | null {
  for (const [key, pattern] of query) {
    if (!key.endsWith('_like')) continue;
    try {
      new RegExp(pattern, 'i');
    } catch {
      return `${key}: is not a valid regular expression`;
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
