/**
 * Sync guards: each compares two sides of the product and returns what disagrees, naming the
 * side. They take the schemas (a SchemaSet) and openapi.yaml as arguments, so their self-tests
 * can hand them a mutated copy and show that they notice.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { SchemaName, SchemaSet } from '../../schemas/validator';
import type { JournalEntry } from '../../schemas/generated/admin/journal-list';
import { referenceFixtures } from '../helpers/fixtures';

export const OPENAPI_FILE = path.join(__dirname, '..', '..', 'openapi.yaml');

type Json = Record<string, unknown>;

export interface Operation {
  method: string;
  /** As openapi.yaml writes it, e.g. /contacts/{id}/tags. */
  path: string;
  request: SchemaName | null;
  /** Response schema by status. */
  responses: Record<string, SchemaName>;
}

export function readOpenapi(file: string = OPENAPI_FILE): Json {
  return parse(readFileSync(file, 'utf8')) as Json;
}

/** `schemas/requests/add-tag.json` → `requests/add-tag`. */
function schemaNameOf(ref: unknown): SchemaName | null {
  const match = typeof ref === 'string' ? /^schemas\/(.+)\.json$/.exec(ref) : null;
  return match ? (match[1] as SchemaName) : null;
}

function jsonSchemaRef(content: unknown): unknown {
  return ((content as Json | undefined)?.['application/json'] as Json | undefined)?.schema
    ? (((content as Json)['application/json'] as Json).schema as Json).$ref
    : undefined;
}

/** Every operation of openapi.yaml, with its request and response schema names. */
export function operations(doc: Json): Operation[] {
  const components = (doc.components as Json | undefined)?.responses as
    Record<string, Json> | undefined;
  const result: Operation[] = [];
  for (const [route, item] of Object.entries((doc.paths as Record<string, Json>) ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const op = operation as Json;
      const responses: Record<string, SchemaName> = {};
      for (const [status, response] of Object.entries(
        (op.responses as Record<string, Json>) ?? {},
      )) {
        const ref = response.$ref as string | undefined;
        const resolved = ref ? components?.[ref.replace('#/components/responses/', '')] : response;
        const name = schemaNameOf(jsonSchemaRef(resolved?.content));
        if (name) responses[status] = name;
      }
      result.push({
        method: method.toUpperCase(),
        path: route,
        request: schemaNameOf(jsonSchemaRef((op.requestBody as Json | undefined)?.content)),
        responses,
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

/** Recorded traffic (the mock's request journal) against openapi.yaml's schemas. */
export function trafficProblems(
  schemas: SchemaSet,
  doc: Json,
  traffic: JournalEntry[],
  who: string,
): string[] {
  const ops = operations(doc);
  const problems: string[] = [];
  for (const entry of traffic) {
    const concrete = entry.path.split('?')[0].replace(/^\/api\/zapier/, '');
    const op = findOperation(ops, entry.method, concrete);
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
    const schema = op.responses[String(entry.status)];
    if (!schema) {
      problems.push(
        `the mock answered ${entry.method} ${op.path} with ${entry.status}, which openapi.yaml does not list`,
      );
    } else if (entry.response.body !== null) {
      const result = schemas.validate(schema, JSON.parse(entry.response.body));
      if (!result.valid)
        problems.push(
          `the mock answered ${entry.method} ${op.path} ${entry.status} against ${schema}: ${result.message}`,
        );
    }
  }
  return problems;
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

/** A key of a result: a top-level property, or data__x standing for data.x (Zapier's flattening). */
export function resultKeyInSchema(schemas: SchemaSet, schema: SchemaName, key: string): boolean {
  const root = schemas.schema(schema) as {
    properties: Json;
    $defs?: { data?: { properties: Json } };
  };
  if (key in root.properties) return true;
  const nested = /^data__(.+)$/.exec(key)?.[1];
  return nested !== undefined && nested in (root.$defs?.data?.properties ?? {});
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
    const { id, ...payload } = item.operation.sample ?? {};
    // A create's output is its answer without the request-status field ok.
    const sample = schema.startsWith('events/') ? payload : { ok: true, id, ...payload };
    const result = schemas.validate(schema, sample);
    if (!result.valid)
      problems.push(`the app's sample of ${item.key} is not a valid ${schema}: ${result.message}`);
    for (const field of item.operation.outputFields ?? []) {
      if (field.key !== 'id' && !resultKeyInSchema(schemas, schema, field.key)) {
        problems.push(`the app's output field ${item.key}.${field.key} is not in ${schema}`);
      }
    }
  }
  return problems;
}
