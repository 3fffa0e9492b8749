/**
 * The /api/zapier plugin: the request pipeline in front of the endpoints — fault injection,
 * authentication and rate limiting (before the body is read) — then every endpoint module in
 * the one route shape, idempotent ones wrapped by the idempotency keys.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors';
import {
  installResponseVerification,
  installSchemaValidation,
  registerRoutes,
} from '../http/routing';
import { ownNotFoundContext } from '../http/other-methods';
import type { Services } from '../domain/services';
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
    ownNotFoundContext(app);

    // Both hooks take fastify's callback rather than being async: every API request runs them,
    // and a promise each cost more than their common case (no fault, a known key) itself.
    // Faults come first: an injected outage happens whatever the request holds.
    app.addHook('onRequest', (request, reply, done) => {
      const header = request.headers['x-mock-fault'];
      if (header === undefined && services.faults.empty) return done();
      const path = decodedPath(request.url);
      const rule =
        typeof header === 'string'
          ? faultFromHeader(header, path)
          : services.faults.take(request.method, path);
      if (!rule) return done();
      applyFault(rule, request, reply).then(() => {
        // A client that left during a delay gets nothing: its request goes no further.
        if (request.raw.destroyed && !reply.sent) reply.hijack();
        done();
      }, done);
    });

    // Then the key, before the body is read: without a valid key nothing else is learnt.
    app.addHook('onRequest', (request, _reply, done) => {
      try {
        const { workspace, keyId } = authenticate(services.store, request.headers['x-api-key']);
        request.workspace = workspace;
        const verdict = limiter?.take(keyId);
        if (verdict && !verdict.allowed) {
          throw new ApiError('rate-limited', 'too many requests for this API key', {
            'retry-after': String(verdict.retryAfterS),
          });
        }
      } catch (error) {
        return done(error as Error);
      }
      done();
    });

    registerRoutes<Caller>(app, ENDPOINTS, {
      services,
      // Every endpoint route runs after the key check above, which sets the workspace.
      extra: (request) => ({ workspace: request.workspace as Caller['workspace'] }),
      idempotent: (endpoint, handle, commit) => idempotency.wrap(endpoint, handle, commit),
    });
  };
}
