/**
 * What an endpoint module declares, and how the server turns that into a fastify route: body
 * and query schemas (validated by the shared validator, which names the error code), the
 * response schemas per status, whether it takes an idempotency key, and a handler that returns
 * the answer together with the changes to store. The changes are committed durably (with the
 * idempotency record, in the same journal line) before the answer is sent.
 */
import type { SchemaName } from '../schemas/validator';
import type { Workspace } from '../schemas/generated';
import type { Change } from './store/collections';
import type { Services } from './services';

export interface EndpointContext<Body = unknown, Query = unknown> {
  workspace: Workspace;
  body: Body;
  query: Query;
  params: Record<string, string>;
  services: Services;
}

export interface Answer {
  status: number;
  body: { ok: true } & Record<string, unknown>;
  /** What to store before answering. */
  changes?: Change[];
}

export interface Endpoint<Body = unknown, Query = unknown> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Under /api/zapier, in fastify's syntax (`/contacts/:id/tags`). */
  url: string;
  body?: SchemaName;
  query?: SchemaName;
  /** The schema of each success status; errors are always schemas/error.json. */
  responses: Partial<Record<number, SchemaName>>;
  /** Create-style POSTs honour Idempotency-Key / X-Idempotency-Key. */
  idempotent?: boolean;
  /** The code to answer if the changes cannot be stored (default internal-error). */
  saveFailure?: 'contact-save-failed';
  handle(context: EndpointContext<Body, Query>): Answer;
}

export function defineEndpoint<Body, Query = unknown>(
  endpoint: Endpoint<Body, Query>,
): Endpoint<Body, Query> {
  return endpoint;
}
