/**
 * The /api/zapier plugin: turns each endpoint module into a route with authentication,
 * schema validation (the schema names the error code), idempotency and durable commits, and
 * answers 405 method-not-allowed for a known path with a method it does not serve.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Workspace } from '../schemas/generated';
import { readRequest, validate, type SchemaName } from '../schemas/validator';
import { authenticate } from './auth';
import type { Endpoint } from './endpoint';
import { ApiError, sendError } from './errors';
import { Idempotency, idempotencyKeyOf, type SentAnswer } from './idempotency';
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

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Marks a route schema with the name of its file; the validator compiler reads it back. */
function schemaPart(name: SchemaName): { 'x-schema': SchemaName } {
  return { 'x-schema': name };
}

export function apiPlugin(options: ApiOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    const { services } = options;
    const idempotency = new Idempotency(services.store);

    app.setValidatorCompiler(({ schema, httpPart }) => {
      const name = (schema as { 'x-schema': SchemaName })['x-schema'];
      const source = httpPart === 'body' ? 'body' : 'text';
      return (data: unknown) => {
        const result = readRequest(name, data ?? undefined, source);
        return result.valid
          ? { value: result.value }
          : { error: new ApiError(result.code, result.message) };
      };
    });

    // Before the body is read: a request without a valid key learns nothing else.
    app.addHook('onRequest', async (request) => {
      request.workspace = authenticate(services.store, request.headers['x-api-key']);
    });

    const methodsByUrl = new Map<string, string[]>();
    for (const endpoint of ENDPOINTS) {
      methodsByUrl.set(endpoint.url, [...(methodsByUrl.get(endpoint.url) ?? []), endpoint.method]);
      app.route({
        method: endpoint.method,
        url: endpoint.url,
        schema: {
          ...(endpoint.body && { body: schemaPart(endpoint.body) }),
          ...(endpoint.query && { querystring: schemaPart(endpoint.query) }),
        },
        handler: async (request, reply) => {
          const answer = await answerRequest(endpoint, request, services, idempotency);
          return sendAnswer(reply, endpoint, answer, options.verifyResponses);
        },
      });
    }
    for (const [url, methods] of methodsByUrl) {
      const served = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
      app.route({
        method: ALL_METHODS.filter((method) => !served.includes(method)),
        url,
        handler: async (_request, reply) =>
          sendError(
            reply,
            new ApiError('method-not-allowed', `${url} answers ${methods.join(', ')}`, {
              allow: served.join(', '),
            }),
          ),
      });
    }
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
  const execute = async (
    remember?: Parameters<Parameters<Idempotency['run']>[2]>[0],
  ): Promise<SentAnswer> => {
    const answer = endpoint.handle({
      workspace,
      body: request.body,
      query: request.query,
      params: request.params as Record<string, string>,
      services,
    });
    const text = JSON.stringify(answer.body);
    const changes = [...(answer.changes ?? [])];
    if (remember)
      changes.push({ op: 'put', c: 'idempotency_keys', r: remember(answer.status, text) });
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

function sendAnswer(
  reply: FastifyReply,
  endpoint: Endpoint,
  answer: SentAnswer,
  verify: boolean,
): FastifyReply {
  if (verify) {
    const schema = endpoint.responses[answer.status];
    const result = schema ? validate(schema, JSON.parse(answer.text)) : undefined;
    if (!result?.valid) {
      throw new Error(
        `${endpoint.method} ${endpoint.url} answered ${answer.status} against the contract: ${result?.message ?? 'undeclared status'}`,
      );
    }
  }
  if (answer.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(answer.status).type('application/json; charset=utf-8').send(answer.text);
}
