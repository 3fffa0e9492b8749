/** A seed loaded through the admin API may be much bigger than an API request. */
export const ADMIN_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

/** How admin modules declare a route: its schemas by name, registered with its 405s. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SchemaName } from '../../schemas/validator';
import type { MethodTable } from '../http';
import { schemaPart } from '../http';

export interface AdminRoute {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  body?: SchemaName;
  query?: SchemaName;
  /** The schema of the success answer (checked in verify mode). */
  response?: SchemaName;
  /** A larger body limit than the API's (loading a seed). */
  bodyLimit?: number;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

export function addAdminRoutes(
  app: FastifyInstance,
  methods: MethodTable,
  routes: AdminRoute[],
): void {
  for (const route of routes) {
    methods.add(route.method, route.url);
    app.route({
      method: route.method,
      url: route.url,
      config: { response: route.response },
      ...(route.bodyLimit && { bodyLimit: route.bodyLimit }),
      schema: {
        ...(route.body && { body: schemaPart(route.body) }),
        ...(route.query && { querystring: schemaPart(route.query) }),
      },
      handler: route.handler,
    });
  }
}
