/**
 * The /api/zapier plugin: the request pipeline in front of the endpoints — fault injection,
 * authentication and rate limiting (before the body is read) — then every endpoint module in
 * the one route shape, idempotent ones wrapped by the idempotency keys.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors';
import { installResponseVerification, installSchemaValidation, registerRoutes } from '../routing';
import type { Services } from '../services';
import { authenticate } from './auth';
import type { Caller } from './endpoint';
import { ENDPOINTS } from './endpoints';
import { applyFault, decodedPath, faultFromHeader } from './fault-injection';
import { Idempotency } from './idempotency';
import { API_PREFIX } from './prefix';
import { RateLimiter } from './rate-limit';

export interface ApiOptions {
  services: Services;
  /** Check every answer against its response schema; a mismatch becomes a 500 (tests). */
  verifyResponses: boolean;
}

export function apiPlugin(options: ApiOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    const { services } = options;
    const idempotency = new Idempotency(services.store, API_PREFIX);
    const limiter = services.settings.rateLimitPerMinute
      ? new RateLimiter(services.settings.rateLimitPerMinute)
      : null;
    installSchemaValidation(app);
    if (options.verifyResponses) installResponseVerification(app);

    // Faults come first: an injected outage happens whatever the request holds.
    app.addHook('onRequest', async (request, reply) => {
      const header = request.headers['x-mock-fault'];
      if (header === undefined && services.faults.empty) return;
      const path = decodedPath(request.url);
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

    registerRoutes<Caller>(app, ENDPOINTS, {
      services,
      // Every endpoint route runs after the key check above, which sets the workspace.
      extra: (request) => ({ workspace: request.workspace as Caller['workspace'] }),
      idempotent: (endpoint, handle, commit) => idempotency.wrap(endpoint, handle, commit),
    });
  };
}
