/**
 * The one route shape of the mock, for the API and the admin API alike. A route names its path
 * parameters, query and body by schema file (the handler gets them typed, validated, defaults
 * applied, and a violation gets the code its schema names) and answers status, body and the
 * changes to store. One registration does the rest for every route: validation, the durable
 * commit, and the send (the path's other methods are answered for every route: other-methods.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  readRequest,
  validate,
  type ErrorCode,
  type SchemaName,
  type SchemaReadTypes,
} from '../../schemas/validator';
import { ApiError, JSON_TYPE } from './errors';
import { answerShadowedMethods } from './other-methods';
import { checkRecordLimits } from './record-limits';
import type { Services } from '../domain/services';
import type { Change } from '../store/collections';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The schema of a route's success answers, checked in verify mode: one for every 2xx, or
     * one per status (a 2xx it does not list is then a mismatch too).
     */
    response?: SchemaName | Partial<Record<number, SchemaName>>;
  }
}

type PartName = SchemaName | undefined;

/** A request part as the handler gets it: the schema's type with its defaults filled in. */
export type Read<N extends PartName> = N extends SchemaName ? SchemaReadTypes[N] : undefined;

export interface RouteInput<P extends PartName, Q extends PartName, B extends PartName> {
  params: Read<P>;
  query: Read<Q>;
  body: Read<B>;
  services: Services;
}

/** What a handler answers: sent once its changes are durable. */
export type Answer = {
  status: number;
  /** What to store before answering, in one commit. */
  changes?: Change[];
  headers?: Record<string, string>;
} & (
  | { body: { ok: true } & Record<string, unknown>; text?: undefined }
  /** The body's exact text, serialised before (an idempotent replay): sent as it is. */
  | { text: string; body?: undefined }
);

export interface Route<
  Extra,
  P extends PartName = undefined,
  Q extends PartName = undefined,
  B extends PartName = undefined,
> {
  method: 'GET' | 'POST' | 'DELETE';
  /** In fastify's syntax (`/contacts/:id/tags`), under the plugin's prefix. */
  url: string;
  params?: P;
  query?: Q;
  body?: B;
  /** The schema of each success status; errors are always schemas/error.json. */
  responses: Partial<Record<number, SchemaName>>;
  /** A body limit other than the server's (loading a seed). */
  bodyLimit?: number;
  /** Create-style POSTs honour Idempotency-Key / X-Idempotency-Key (where the API offers it). */
  idempotent?: boolean;
  /** The code to answer if the changes cannot be stored (default DEFAULT_SAVE_FAILURE). */
  saveFailure?: ErrorCode;
  // A method, not a property: routes with different schemas then fit in one list.
  handle(input: RouteInput<P, Q, B> & Extra): Answer | Promise<Answer>;
}

/** What a route answers when its changes cannot be stored, unless it names its own code. */
export const DEFAULT_SAVE_FAILURE: ErrorCode = 'storage-full';

/** The define function of one API: it types each route's handler input from its schemas. */
export function routeDefiner<Extra>() {
  return <
    P extends PartName = undefined,
    Q extends PartName = undefined,
    B extends PartName = undefined,
  >(
    route: Route<Extra, P, Q, B>,
  ): Route<Extra, P, Q, B> => route;
}

export type AnyRoute<Extra> = Route<Extra, PartName, PartName, PartName>;
export type AnyInput<Extra> = RouteInput<PartName, PartName, PartName> & Extra;

/** A route's handling from its input to an answer whose changes are durable. */
export type Handling<Extra> = (
  input: AnyInput<Extra>,
  request: FastifyRequest,
) => Answer | Promise<Answer>;

/**
 * Stores an answer's changes; a record over a limit of its schema is refused (400), a failure to
 * store is the route's save-failure code, and either stores nothing.
 */
export type Commit = (answer: Answer) => Answer | Promise<Answer>;

/** What an API (the Zapier API, the admin API) adds to the one route shape. */
export interface Surface<Extra> {
  services: Services;
  /** What every handler of this API gets besides its request parts (the caller's workspace). */
  extra(request: FastifyRequest): Extra;
  /** Wraps the handling of idempotent routes; it commits through `commit` itself. */
  idempotent?(
    route: AnyRoute<Extra>,
    handle: (input: AnyInput<Extra>) => Answer | Promise<Answer>,
    commit: Commit,
  ): Handling<Extra>;
}

/** Marks a route schema with the name of its file; the validator compiler reads it back. */
function schemaPart(name: SchemaName): { 'x-schema': SchemaName } {
  return { 'x-schema': name };
}

/** Registers routes in the one shape, and 405 method-not-allowed for their paths' other methods. */
export function registerRoutes<Extra>(
  app: FastifyInstance,
  routes: AnyRoute<Extra>[],
  surface: Surface<Extra>,
): void {
  const { services } = surface;
  for (const route of routes) {
    const commit = committer(services, route.saveFailure ?? DEFAULT_SAVE_FAILURE);
    const handle = (input: AnyInput<Extra>) => route.handle(input);
    const handling: Handling<Extra> =
      route.idempotent && surface.idempotent
        ? surface.idempotent(route, handle, commit)
        : (input) => commitWhenAnswered(handle(input), commit);
    app.route({
      method: route.method,
      url: route.url,
      // HEAD is not part of either API (openapi.yaml lists none): it is a 405 like any method
      // the path does not serve, so that Allow lists only what is declared.
      exposeHeadRoute: false,
      ...(route.bodyLimit && { bodyLimit: route.bodyLimit }),
      config: { response: route.responses },
      schema: {
        ...(route.params && { params: schemaPart(route.params) }),
        ...(route.query && { querystring: schemaPart(route.query) }),
        ...(route.body && { body: schemaPart(route.body) }),
      },
      // Not async: an answer that has nothing to store (every read) is sent in the same tick,
      // without the promises that cost a read more than its handler. A throw here is fastify's
      // to answer, as a rejection would be.
      handler: (request, reply) => {
        const input = {
          params: request.params,
          query: request.query,
          body: request.body,
          services,
          ...surface.extra(request),
        } as AnyInput<Extra>;
        const answer = handling(input, request);
        if (answer instanceof Promise) return answer.then((settled) => send(reply, settled));
        send(reply, answer);
        return undefined;
      },
    });
  }
  answerShadowedMethods(app, routes);
}

/** Commits a handler's answer once there is one: in the same tick when it is not a promise. */
export function commitWhenAnswered(
  answer: Answer | Promise<Answer>,
  commit: Commit,
): Answer | Promise<Answer> {
  return answer instanceof Promise ? answer.then(commit) : commit(answer);
}

function committer(services: Services, failure: ErrorCode): Commit {
  const stored = async (answer: Answer, changes: Change[]): Promise<Answer> => {
    checkRecordLimits(changes);
    try {
      await services.store.commit(changes);
    } catch (error) {
      throw new ApiError(failure, `the change could not be saved: ${(error as Error).message}`);
    }
    return { ...answer, changes: [] };
  };
  // Nothing to store: the answer as it is, now.
  return (answer) =>
    answer.changes && answer.changes.length > 0 ? stored(answer, answer.changes) : answer;
}

function send(reply: FastifyReply, answer: Answer): FastifyReply {
  return reply
    .code(answer.status)
    .headers(answer.headers ?? {})
    .type(JSON_TYPE)
    .send(answer.text ?? JSON.stringify(answer.body));
}

/** Validates bodies, query strings and params with the shared validator. */
export function installSchemaValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const name = (schema as { 'x-schema': SchemaName })['x-schema'];
    // The body was parsed for this request by the content-type parser: read in place.
    const source = httpPart === 'body' ? 'parsed-body' : 'text';
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
    const declared = request.routeOptions.config?.response;
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
