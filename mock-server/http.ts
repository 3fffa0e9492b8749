/**
 * Route plumbing shared by the API and the admin API: request validation from the schema files
 * (the schema names the error code) and 405 method-not-allowed for known paths.
 */
import type { FastifyInstance } from 'fastify';
import { readRequest, validate, type SchemaName } from '../schemas/validator';
import { ApiError, sendError } from './errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The schema of a route's success answers, checked in verify mode: one for every 2xx, or
     * one per status (a 2xx it does not list is then a mismatch too).
     */
    response?: SchemaName | Partial<Record<number, SchemaName>>;
    /** The route only answers 405 for methods its path does not serve. */
    methodNotAllowed?: boolean;
  }
}

/** Marks a route schema with the name of its file; the validator compiler reads it back. */
export function schemaPart(name: SchemaName): { 'x-schema': SchemaName } {
  return { 'x-schema': name };
}

/** Validates bodies, query strings and params with the shared validator. */
export function installSchemaValidation(app: FastifyInstance): void {
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
}

/**
 * In verify mode (tests), checks every 2xx answer of a route against the response schema the
 * route declares in `config.response`; a mismatch becomes a 500 naming the difference.
 */
export function installResponseVerification(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const declared = request.routeOptions.config.response;
    const status = reply.statusCode;
    if (!declared || status < 200 || status >= 300 || typeof payload !== 'string') return payload;
    const schema = typeof declared === 'string' ? declared : declared[status];
    const result = schema ? validate(schema, JSON.parse(payload)) : undefined;
    if (!result?.valid) {
      throw new Error(
        `${request.method} ${request.url} answered ${status} against the contract: ${result?.message ?? 'undeclared status'}`,
      );
    }
    return payload;
  });
}

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Collects the methods of each path and answers 405 (with Allow) for the others. */
export class MethodTable {
  private methodsByUrl = new Map<string, string[]>();

  add(method: string, url: string): void {
    this.methodsByUrl.set(url, [...(this.methodsByUrl.get(url) ?? []), method]);
  }

  install(app: FastifyInstance): void {
    for (const [url, methods] of this.methodsByUrl) {
      const served = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
      app.route({
        method: ALL_METHODS.filter((method) => !served.includes(method)),
        url,
        config: { methodNotAllowed: true },
        handler: async (_request, reply) =>
          sendError(
            reply,
            new ApiError('method-not-allowed', `${url} answers ${methods.join(', ')}`, {
              allow: served.join(', '),
            }),
          ),
      });
    }
  }
}
