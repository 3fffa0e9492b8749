/**
 * The /api/zapier plugin: turns each endpoint module into a route with fault injection,
 * authentication, rate limiting, schema validation (the schema names the error code),
 * idempotency and durable commits, and answers 405 for a known path with another method.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Workspace } from '../schemas/generated';
import { authenticate } from './auth';
import type { Endpoint } from './endpoint';
import { ApiError } from './errors';
import { applyFault, faultFromHeader } from './faults';
import {
  installResponseVerification,
  installSchemaValidation,
  MethodTable,
  schemaPart,
} from './http';
import { Idempotency, idempotencyKeyOf, type Remember, type SentAnswer } from './idempotency';
import { RateLimiter } from './rate-limit';
import { ENDPOINTS } from './routes';
import type { Services } from './services';

export const API_PREFIX = '/api/zapier';

declare module 'fastify' {
  interface FastifyRequest {
    /** The workspace of the request's API key, once authenticated. */
    workspace?: Workspace;
  }
}

export interface ApiOptions {
  services: Services;
  /** Check every answer against its response schema; a mismatch becomes a 500 (tests). */
  verifyResponses: boolean;
}

export function apiPlugin(options: ApiOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    const { services } = options;
    const idempotency = new Idempotency(services.store);
    const limiter = services.settings.rateLimitPerMinute
      ? new RateLimiter(services.settings.rateLimitPerMinute)
      : null;
    installSchemaValidation(app);
    if (options.verifyResponses) installResponseVerification(app);

    // Faults come first: an injected outage happens whatever the request holds.
    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0];
      const header = request.headers['x-mock-fault'];
      const rule =
        typeof header === 'string'
          ? faultFromHeader(header, path)
          : services.faults.take(request.method, path);
      if (rule) await applyFault(rule, request, reply);
    });

    // Then the key, before the body is read: without a valid key nothing else is learnt.
    app.addHook('onRequest', async (request) => {
      if (request.raw.destroyed) return;
      const { workspace, keyId } = authenticate(services.store, request.headers['x-api-key']);
      request.workspace = workspace;
      const verdict = limiter?.take(keyId);
      if (verdict && !verdict.allowed) {
        throw new ApiError('rate-limited', 'too many requests for this API key', {
          'retry-after': String(verdict.retryAfterS),
        });
      }
    });

    const methods = new MethodTable();
    for (const endpoint of ENDPOINTS) {
      methods.add(endpoint.method, endpoint.url);
      app.route({
        method: endpoint.method,
        url: endpoint.url,
        config: { response: endpoint.responses },
        schema: {
          ...(endpoint.body && { body: schemaPart(endpoint.body) }),
          ...(endpoint.query && { querystring: schemaPart(endpoint.query) }),
        },
        handler: async (request, reply) => {
          const answer = await answerRequest(endpoint, request, services, idempotency);
          if (answer.replayed) reply.header('idempotent-replayed', 'true');
          return reply
            .code(answer.status)
            .type('application/json; charset=utf-8')
            .send(answer.text);
        },
      });
    }
    methods.install(app);
  };
}

async function answerRequest(
  endpoint: Endpoint,
  request: FastifyRequest,
  services: Services,
  idempotency: Idempotency,
): Promise<SentAnswer> {
  const workspace = request.workspace as Workspace;
  const key = endpoint.idempotent ? idempotencyKeyOf(request.headers) : null;
  const execute = async (remember?: Remember): Promise<SentAnswer> => {
    const answer = endpoint.handle({
      workspace,
      body: request.body,
      query: request.query,
      params: request.params as Record<string, string>,
      services,
    });
    const text = JSON.stringify(answer.body);
    const changes = [...(answer.changes ?? [])];
    if (remember) {
      changes.push({ op: 'put', c: 'idempotency_keys', r: remember(answer.status, text) });
    }
    if (changes.length > 0) {
      try {
        await services.store.commit(changes);
      } catch (error) {
        throw new ApiError(
          endpoint.saveFailure ?? 'internal-error',
          `the change could not be saved: ${(error as Error).message}`,
        );
      }
    }
    return { status: answer.status, text, replayed: false };
  };
  if (!key) return execute();
  const path = request.url.split('?')[0];
  return idempotency.run(
    { workspaceId: workspace.id, method: 'POST', path, key },
    request.body,
    execute,
  );
}
