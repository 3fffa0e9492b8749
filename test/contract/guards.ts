/**
 * Sync guards: each compares two sides of the product and returns what disagrees, naming the
 * side. They take the schemas (a SchemaSet) and openapi.yaml as arguments, so their self-tests
 * can hand them a mutated copy and show that they notice.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { ErrorCode, SchemaName, SchemaSet } from '../../schemas/validator';
import type { JournalEntry } from '../../schemas/generated/admin/journal-list';
import { API_PREFIX } from '../../mock-server/api/prefix';
import { DEFAULT_SAVE_FAILURE } from '../../mock-server/http/routing';
import { referenceFixtures } from '../helpers/fixtures';

export const OPENAPI_FILE = path.join(__dirname, '..', '..', 'openapi.yaml');

type Json = Record<string, unknown>;

export interface Operation {
  method: string;
  /** As openapi.yaml writes it, e.g. /contacts/{id}/tags. */
  path: string;
  request: SchemaName | null;
  /**
   * The schemas/ file each status's body follows (its $ref, or the first one of its allOf), by
   * status as openapi.yaml writes it ('201', '2XX').
   */
  responses: Record<string, SchemaName>;
  /** Each status's schema as openapi.yaml writes it, restrictions included, for validation. */
  responseSchemas: Record<string, Json>;
  /** The error codes each error status names (all of them where it restricts none). */
  errorCodes: Record<string, ErrorCode[]>;
}

export function readOpenapi(file: string = OPENAPI_FILE): Json {
  return parse(readFileSync(file, 'utf8')) as Json;
}

/** `schemas/requests/add-tag.json` → `requests/add-tag`. */
function schemaNameOf(ref: unknown): SchemaName | null {
  const match = typeof ref === 'string' ? /^schemas\/(.+)\.json$/.exec(ref) : null;
  return match ? (match[1] as SchemaName) : null;
}

function jsonSchema(content: unknown): Json | undefined {
  return ((content as Json | undefined)?.['application/json'] as Json | undefined)?.schema as
    Json | undefined;
}

/** The schemas/ file a schema stands on: its $ref, or its allOf's first $ref. */
function baseRef(schema: Json | undefined): unknown {
  return schema?.$ref ?? (schema?.allOf as Json[] | undefined)?.[0]?.$ref;
}

/** The codes an error schema allows: its allOf restriction's enum, or every code. */
function allowedCodes(schema: Json, all: readonly ErrorCode[]): ErrorCode[] {
  const restriction = (schema.allOf as Json[] | undefined)?.[1] as
    { properties?: { error?: { enum?: ErrorCode[] } } } | undefined;
  return restriction?.properties?.error?.enum ?? [...all];
}

/** The status key of openapi.yaml that a concrete status falls under: '200', else '2XX'. */
export function statusKey(op: Operation, status: number): string | undefined {
  const exact = String(status);
  const range = `${exact[0]}XX`;
  return exact in op.responseSchemas ? exact : range in op.responseSchemas ? range : undefined;
}

/** Every operation of openapi.yaml, with its request and response schemas. */
export function operations(doc: Json, allCodes: readonly ErrorCode[] = []): Operation[] {
  const components = (doc.components as Json | undefined)?.responses as
    Record<string, Json> | undefined;
  const result: Operation[] = [];
  for (const [route, item] of Object.entries((doc.paths as Record<string, Json>) ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const op = operation as Json;
      const responses: Record<string, SchemaName> = {};
      const responseSchemas: Record<string, Json> = {};
      const errorCodes: Record<string, ErrorCode[]> = {};
      for (const [status, response] of Object.entries(
        (op.responses as Record<string, Json>) ?? {},
      )) {
        const ref = response.$ref as string | undefined;
        const resolved = ref ? components?.[ref.replace('#/components/responses/', '')] : response;
        const schema = jsonSchema(resolved?.content);
        const name = schemaNameOf(baseRef(schema));
        if (!schema || !name) continue;
        responses[status] = name;
        responseSchemas[status] = schema;
        if (name === 'error') errorCodes[status] = allowedCodes(schema, allCodes);
      }
      result.push({
        method: method.toUpperCase(),
        path: route,
        request: schemaNameOf(baseRef(jsonSchema((op.requestBody as Json | undefined)?.content))),
        responses,
        responseSchemas,
        errorCodes,
      });
    }
  }
  return result;
}

/** The operation a concrete request path belongs to. */
export function findOperation(
  ops: Operation[],
  method: string,
  concrete: string,
): Operation | undefined {
  return ops.find(
    (op) =>
      op.method === method &&
      new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(concrete),
  );
}

/** openapi.yaml ↔ the mock's API routes, both directions. */
export function routeProblems(doc: Json, mockRoutes: { method: string; url: string }[]): string[] {
  const documented = new Set(operations(doc).map((op) => `${op.method} ${op.path}`));
  const served = new Set(mockRoutes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`));
  return [
    ...[...served]
      .filter((r) => !documented.has(r))
      .map((r) => `the mock serves ${r}, openapi.yaml does not list it`),
    ...[...documented]
      .filter((r) => !served.has(r))
      .map((r) => `openapi.yaml lists ${r}, the mock does not serve it`),
  ];
}

/** A journaled request's path as openapi.yaml writes it: no prefix, no query. */
function apiPath(entry: JournalEntry): string {
  const [full] = entry.path.split('?');
  return full.startsWith(API_PREFIX) ? full.slice(API_PREFIX.length) : full;
}

interface Call {
  entry: JournalEntry;
  /** The request's own path (ids and all), without prefix or query. */
  concrete: string;
  /** The operation of openapi.yaml it called, if any. */
  op: Operation | undefined;
}

/** Each journaled request with the operation of openapi.yaml it called. */
function calls(schemas: SchemaSet, doc: Json, traffic: JournalEntry[]): Call[] {
  const ops = operations(doc, schemas.errorCodes);
  return traffic.map((entry) => {
    const concrete = apiPath(entry);
    return { entry, concrete, op: findOperation(ops, entry.method, concrete) };
  });
}

/** Recorded traffic (the mock's request journal) against openapi.yaml's schemas. */
export function trafficProblems(
  schemas: SchemaSet,
  doc: Json,
  traffic: JournalEntry[],
  who: string,
): string[] {
  const problems: string[] = [];
  for (const { entry, concrete, op } of calls(schemas, doc, traffic)) {
    if (!op) {
      problems.push(`${who} called ${entry.method} ${concrete}, which openapi.yaml does not list`);
      continue;
    }
    if (op.request && entry.request.body !== null) {
      const result = schemas.validate(op.request, JSON.parse(entry.request.body));
      if (!result.valid)
        problems.push(
          `${who} sent ${entry.method} ${op.path} against ${op.request}: ${result.message}`,
        );
    }
    const status = statusKey(op, entry.status);
    if (!status) {
      problems.push(
        `the mock answered ${entry.method} ${op.path} with ${entry.status}, which openapi.yaml does not list`,
      );
    } else if (entry.response.body !== null) {
      const result = schemas.validateInline(
        op.responseSchemas[status],
        JSON.parse(entry.response.body),
      );
      if (!result.valid)
        problems.push(
          `the mock answered ${entry.method} ${op.path} ${entry.status} against ${op.responses[status]}: ${result.message}`,
        );
    }
  }
  return problems;
}

/**
 * The other direction: every property of a request schema the app sends was sent by it at least
 * once (the traffic fills every field of every create). A property added to a schema that no step
 * of the app can send would otherwise pass every check above, and Zap users could never set it.
 */
export function requestCoverageProblems(
  schemas: SchemaSet,
  doc: Json,
  traffic: JournalEntry[],
  who: string,
): string[] {
  const sent = new Map<SchemaName, Set<string>>();
  for (const { entry, op } of calls(schemas, doc, traffic)) {
    if (!op?.request || entry.request.body === null) continue;
    const keys = sent.get(op.request) ?? new Set<string>();
    for (const key of Object.keys(JSON.parse(entry.request.body) as Json)) keys.add(key);
    sent.set(op.request, keys);
  }
  return [...sent].flatMap(([request, keys]) =>
    Object.keys(schemas.schema(request).properties as Json)
      .filter((property) => !keys.has(property))
      .map((property) => `${who} never sent ${request}'s ${property}`),
  );
}

/** The reference's examples against the schemas. */
export function referenceProblems(schemas: SchemaSet): string[] {
  return referenceFixtures().flatMap((fixture) => {
    const result = schemas.validate(fixture.schema, fixture.body);
    return result.valid
      ? []
      : [
          `the reference example ${fixture.file} is not a valid ${fixture.schema}: ${result.message}`,
        ];
  });
}

interface AppItem {
  key: string;
  display: { hidden?: boolean };
  operation: { sample?: Json; outputFields?: { key: string }[] };
}

/** Which schema each visible trigger's results and each create's answer follow. */
export const APP_SCHEMAS: Record<string, SchemaName> = {
  conversation_created: 'events/conversation-created',
  conversation_resolved: 'events/conversation-resolved',
  contact_created: 'events/contact-created',
  tag_added: 'events/tag-added',
  create_contact: 'responses/contact-saved',
  add_tag_to_contact: 'responses/tag-added',
  send_message: 'responses/message-sent',
};

/** A key of an answer or payload: a top-level property, or data__x standing for data.x. */
function keyInSchema(schemas: SchemaSet, schema: SchemaName, key: string): boolean {
  const root = schemas.schema(schema) as {
    properties: Json;
    $defs?: { data?: { properties: Json } };
  };
  if (key in root.properties) return true;
  const nested = /^data__(.+)$/.exec(key)?.[1];
  return nested !== undefined && nested in (root.$defs?.data?.properties ?? {});
}

/** The schema of the fields the app adds to what Chatting sends. */
const DERIVED: SchemaName = 'app/derived-fields';

/**
 * Whether a step's result may have `key`: a field of Chatting's answer or payload (`schema`,
 * Zapier flattening data.x as data__x), or one the app derives (schemas/app/derived-fields.json).
 */
export function resultKeyInSchema(schemas: SchemaSet, schema: SchemaName, key: string): boolean {
  return keyInSchema(schemas, schema, key) || keyInSchema(schemas, DERIVED, key);
}

/** A result split into what Chatting sent and what the app derived from it. */
export function splitResult(
  schemas: SchemaSet,
  schema: SchemaName,
  result: Record<string, Json>,
): { sent: Record<string, Json>; derived: Record<string, Json> } {
  const sent: Record<string, Json> = {};
  const derived: Record<string, Json> = {};
  for (const [key, value] of Object.entries(result)) {
    if (!keyInSchema(schemas, schema, key) && keyInSchema(schemas, DERIVED, key)) {
      derived[key] = value;
    } else sent[key] = value;
  }
  return { sent, derived };
}

/** The app's samples and output fields against the schemas. */
export function appDefinitionProblems(
  schemas: SchemaSet,
  app: { triggers?: object; creates?: object },
): string[] {
  const problems: string[] = [];
  const items = [
    ...Object.values(app.triggers ?? {}),
    ...Object.values(app.creates ?? {}),
  ] as AppItem[];
  for (const item of items.filter((i) => !i.display.hidden)) {
    const schema = APP_SCHEMAS[item.key];
    if (!schema) {
      problems.push(`the app has ${item.key}, which no schema describes`);
      continue;
    }
    const { sent, derived } = splitResult(
      schemas,
      schema,
      (item.operation.sample ?? {}) as Record<string, Json>,
    );
    // A create's output is its answer without the request-status field ok.
    const answer = schema.startsWith('events/') ? sent : { ok: true, ...sent };
    for (const [part, name, value] of [
      ['sample', schema, answer],
      ['derived fields of the sample', DERIVED, derived],
    ] as const) {
      const result = schemas.validate(name, value);
      if (!result.valid)
        problems.push(`the app's ${part} of ${item.key} is not a valid ${name}: ${result.message}`);
    }
    for (const field of item.operation.outputFields ?? []) {
      if (!resultKeyInSchema(schemas, schema, field.key)) {
        problems.push(
          `the app's output field ${item.key}.${field.key} is not in ${schema} or ${DERIVED}`,
        );
      }
    }
  }
  return problems;
}

/**
 * Codes every API route can answer, whatever it does: the key check (before anything else),
 * malformed HTTP (oversized headers, a broken URL, a bad X-Mock-Fault, a header sent twice with
 * different values), the server's header and request time limits and an Expect it cannot meet
 * (before any route is chosen, so GETs too), a server that is stopping, rate limiting, another
 * method on its path, and an unexpected failure.
 */
const EVERY_API_ROUTE: ErrorCode[] = [
  'api-key-missing',
  'api-key-invalid',
  'invalid-request',
  'request-timeout',
  'expectation-failed',
  'shutting-down',
  'rate-limited',
  'method-not-allowed',
  'internal-error',
];
/** Codes of reading a JSON body: not JSON, not an object, too large, another content type. */
const BODY_ROUTE: ErrorCode[] = ['invalid-request', 'payload-too-large', 'unsupported-media-type'];
/**
 * The methods whose body fastify never reads. Any other method reads one when it is sent,
 * whether or not the route wants one (a DELETE with a form body is a 415).
 */
const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'TRACE']);
/** Codes of an idempotency key: a malformed key, a key reused with another body. */
const IDEMPOTENT_ROUTE: ErrorCode[] = ['invalid-request', 'idempotency-key-conflict'];

/**
 * Codes the reference names for an endpoint that the mock answers there only when a fault is
 * injected (the contract suite injects each of them).
 */
export const FAULT_ONLY_CODES: Record<string, ErrorCode[]> = {
  'POST /contacts': ['contact-not-found', 'contact-site-forbidden'],
};

/** What an endpoint of the mock declares (its Route, mock-server/http/routing.ts), as far as errors go. */
export interface EndpointErrors {
  method: string;
  url: string;
  params?: SchemaName;
  body?: SchemaName;
  query?: SchemaName;
  idempotent?: boolean;
  saveFailure?: ErrorCode;
}

/** Every value of every x-error-codes rule in a schema. */
function schemaErrorCodes(schema: unknown): ErrorCode[] {
  if (!schema || typeof schema !== 'object') return [];
  return Object.entries(schema as Json).flatMap(([key, value]) =>
    key === 'x-error-codes'
      ? typeof value === 'string'
        ? [value as ErrorCode]
        : (Object.values(value as Json) as ErrorCode[])
      : schemaErrorCodes(value),
  );
}

/**
 * The codes the mock can answer at one endpoint, read from what the endpoint module declares
 * (its method reads a body or not; its params, body and query schemas name their codes; idempotency; its save-failure code,
 * storage-full unless it names another), the codes its handler throws (from its source), those
 * every API route can answer, and the reference's codes that only a fault produces there. A
 * save can fail only where something is stored: an answer that carries changes (from the
 * source), or an idempotency record.
 */
export function mockErrorCodes(
  schemas: SchemaSet,
  endpoint: EndpointErrors,
  handlerSource: string,
): Set<ErrorCode> {
  const codes = new Set<ErrorCode>(EVERY_API_ROUTE);
  const add = (list: ErrorCode[]) => list.forEach((code) => codes.add(code));
  if (endpoint.params) add(schemaErrorCodes(schemas.schema(endpoint.params)));
  if (!BODYLESS_METHODS.has(endpoint.method)) add(BODY_ROUTE);
  if (endpoint.body) add(schemaErrorCodes(schemas.schema(endpoint.body)));
  if (endpoint.query) add(['invalid-request', ...schemaErrorCodes(schemas.schema(endpoint.query))]);
  if (endpoint.idempotent) add(IDEMPOTENT_ROUTE);
  if (endpoint.idempotent || /\bchanges\s*[:,]/.test(handlerSource))
    add([endpoint.saveFailure ?? DEFAULT_SAVE_FAILURE]);
  add([...handlerSource.matchAll(/new ApiError\(\s*'([a-z-]+)'/g)].map((m) => m[1] as ErrorCode));
  const route = `${endpoint.method} ${endpoint.url.replace(/:(\w+)/g, '{$1}')}`;
  add(FAULT_ONLY_CODES[route] ?? []);
  return codes;
}

/**
 * openapi.yaml's error responses ↔ the codes the mock can answer, per operation: each code
 * declared under the status error.json gives it, and exactly the codes the mock can answer there.
 */
export function errorCodeProblems(
  schemas: SchemaSet,
  doc: Json,
  endpoints: { endpoint: EndpointErrors; source: string }[],
): string[] {
  const ops = operations(doc, schemas.errorCodes);
  const problems: string[] = [];
  for (const { endpoint, source } of endpoints) {
    const route = endpoint.url.replace(/:(\w+)/g, '{$1}');
    const op = ops.find((o) => o.method === endpoint.method && o.path === route);
    if (!op) continue; // routeProblems names it
    const where = `${op.method} ${op.path}`;
    const declared = new Set<ErrorCode>();
    for (const [status, codes] of Object.entries(op.errorCodes)) {
      for (const code of codes) {
        declared.add(code);
        if (String(schemas.statusOf(code)) !== status)
          problems.push(
            `openapi.yaml declares ${code} under ${where} ${status}; error.json gives it ${schemas.statusOf(code)}`,
          );
      }
    }
    const possible = mockErrorCodes(schemas, endpoint, source);
    for (const code of possible)
      if (!declared.has(code))
        problems.push(
          `the mock can answer ${where} with ${code}, openapi.yaml does not declare it`,
        );
    for (const code of declared)
      if (!possible.has(code))
        problems.push(
          `openapi.yaml declares ${code} for ${where}, the mock never answers it there`,
        );
  }
  return problems;
}
