/**
 * /__admin/db: json-server's router over the live collections, read-only. QA gets its query
 * language over the raw state (`/__admin/db/contacts?email_like=ava&_sort=created_at`) with no
 * code of ours; json-server never writes anything (the store does).
 */
import fastifyExpress from '@fastify/express';
import type { NextFunction, Request, Response } from 'express';
import type { FastifyInstance } from 'fastify';
import { router as jsonServerRouter } from 'json-server';
import { ApiError, sendError } from '../errors';
import type { Services } from '../services';

export function dbBrowser(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(fastifyExpress);
    const router = jsonServerRouter(services.store.data);
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
    app.use(router);
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
