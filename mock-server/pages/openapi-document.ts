/**
 * GET /openapi.json: openapi.yaml with every schema file it refers to bundled into one OpenAPI
 * 3.1 document (the file is the source, never a committed copy), with the local mock's servers
 * pointed at this very server so that a renderer's "try it" calls it.
 *
 * Each schema file becomes one entry of `components/schemas`, named by its title, and every
 * reference to it points there; a part of one referred to on its own becomes a component of its
 * own. No reference points into an operation or into a component, so a tool may drop any
 * operation (Portman's `--filterFile` without the admin tag) or prune unused components, and the
 * rest still resolves.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as YamlModule from 'yaml';
import { isLoopbackHost } from '../domain/addresses';
import { PROJECT_ROOT } from './static-files';

export const OPENAPI_FILE = path.join(PROJECT_ROOT, 'openapi.yaml');

interface Server {
  url: string;
  description?: string;
}
type Json = Record<string, unknown>;

const bundles = new Map<string, Promise<Json>>();

/**
 * The bundle of `file`, made at its first request and kept: it reads some seventy files, and the
 * contract does not change under a running mock (its compiled validators would not follow).
 */
function bundleOf(file: string): Promise<Json> {
  let bundle = bundles.get(file);
  if (!bundle) {
    bundle = Promise.resolve().then(() => bundleWithComponents(file));
    bundles.set(file, bundle);
    bundle.catch(() => bundles.delete(file));
  }
  return bundle;
}

/**
 * The bundle: every schema file the document reaches becomes `components/schemas/<title>`, and
 * every reference to a file (or into it) points there. Written out here rather than by
 * json-schema-ref-parser's bundle, which puts a file at its shallowest reference (often inside
 * an operation) and, given these components to aim at, took 2.7 times as long.
 */
export function bundleWithComponents(file: string): Json {
  const dir = path.dirname(file);
  // Loaded with the first bundle, not at start: about a seventh of the mock's module loading
  // (22 of ~150 ms), for a page most runs never open.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('yaml') as typeof YamlModule;
  const document = parse(readFileSync(file, 'utf8')) as Json;
  const files = referencedFiles(document, dir);
  const titles = new Map<string, string>();
  for (const [schemaFile, { title }] of files) {
    if (typeof title !== 'string' || [...titles.values()].includes(title)) {
      throw new Error(`${schemaFile}: every schema needs a title of its own, not ${String(title)}`);
    }
    titles.set(schemaFile, title);
  }
  /** A reference written in `from` (a file, or the document itself) as one into the components. */
  const retarget = (ref: string, from: string | null): string => {
    const [target, pointer = ''] = ref.split('#');
    if (!target && from === null) return ref;
    const schemaFile = target ? path.resolve(from ? path.dirname(from) : dir, target) : from;
    return `#/components/schemas/${titles.get(schemaFile as string)}${pointer}`;
  };
  const rewrite = (node: unknown, from: string | null): unknown => {
    if (Array.isArray(node)) return node.map((item) => rewrite(item, from));
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [
        key,
        key === '$ref' && typeof value === 'string' ? retarget(value, from) : rewrite(value, from),
      ]),
    );
  };
  const bundled = rewrite(document, null) as Json;
  const components = (bundled.components ?? {}) as Json;
  const schemas: Json = {};
  for (const [schemaFile, json] of files) {
    schemas[titles.get(schemaFile) as string] = rewrite(json, schemaFile);
  }
  const complete = { ...bundled, components: { ...components, schemas } };
  hoistInnerReferences(complete, schemas);
  dropUnreferenced(complete, schemas);
  return complete;
}

const SCHEMAS = '#/components/schemas/';

/** Every `$ref` in `node`, each with the object that holds it. */
function references(node: unknown, found: { holder: Json; ref: string }[] = []) {
  if (Array.isArray(node)) for (const item of node) references(item, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string')
        found.push({ holder: node as Json, ref: value });
      else references(value, found);
    }
  }
  return found;
}

/**
 * A reference into a component (`#/components/schemas/Contact/properties/email`) is one to a
 * part of it: tools that tidy a document see only references to whole components, so they called
 * Contact unused and pruned it, leaving that reference dangling (openapi-format, which Portman's
 * filters run). Each such part becomes a component of its own (`Contact.email`), referred to
 * where it was, so the document still says everything once. Deepest parts first: a part inside
 * another is moved before the one around it.
 */
function hoistInnerReferences(document: Json, schemas: Json): void {
  const all = references(document);
  const inner = [...new Set(all.map(({ ref }) => ref))]
    .filter((ref) => ref.startsWith(SCHEMAS) && ref.slice(SCHEMAS.length).includes('/'))
    .map((ref) => ref.slice(SCHEMAS.length).split('/').map(unescapePointer))
    .sort((a, b) => b.length - a.length);
  const names = new Map<string, string>();
  for (const [title, ...parts] of inner) {
    // `properties` says nothing a reader needs; `$` is not allowed in a name.
    const name = [title, ...parts.filter((part) => part !== 'properties')]
      .join('.')
      .replace(/\$defs\b/g, 'defs');
    if (!/^[\w.-]+$/.test(name) || Object.hasOwn(schemas, name)) {
      throw new Error(
        `${SCHEMAS}${[title, ...parts].join('/')}: no component name of its own (${name})`,
      );
    }
    const parent = parts
      .slice(0, -1)
      .reduce<Json>((node, part) => node[part] as Json, schemas[title] as Json);
    const last = parts[parts.length - 1];
    if (!parent || typeof parent[last] !== 'object')
      throw new Error(`${SCHEMAS}${title}/${parts.join('/')}: nothing there`);
    schemas[name] = parent[last];
    parent[last] = { $ref: `${SCHEMAS}${name}` };
    names.set(`${SCHEMAS}${[title, ...parts].map(escapePointer).join('/')}`, `${SCHEMAS}${name}`);
  }
  for (const { holder, ref } of all) {
    const moved = names.get(ref);
    if (moved) holder.$ref = moved;
  }
}

/**
 * Removes the schemas nothing else refers to (a file used only for its parts), until none is
 * left: what a tool reports as unused, and prunes.
 */
function dropUnreferenced(document: Json, schemas: Json): void {
  for (;;) {
    const used = new Set<string>();
    const note = (node: unknown, self: string | null) => {
      for (const { ref } of references(node)) {
        const name = ref.startsWith(SCHEMAS) ? ref.slice(SCHEMAS.length) : null;
        if (name !== null && name !== self) used.add(name);
      }
    };
    for (const [key, value] of Object.entries(document))
      if (key !== 'components') note(value, null);
    for (const [key, value] of Object.entries(document.components as Json)) {
      if (key !== 'schemas') note(value, null);
    }
    for (const [name, schema] of Object.entries(schemas)) note(schema, name);
    const unused = Object.keys(schemas).filter((name) => !used.has(name));
    if (unused.length === 0) return;
    for (const name of unused) delete schemas[name];
  }
}

/** A JSON Pointer's segment as written, and as meant (RFC 6901). */
const escapePointer = (part: string) => part.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapePointer = (part: string) => part.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * Every file a document refers to, and every file those refer to, by absolute path with its
 * JSON.
 */
function referencedFiles(document: unknown, dir: string): Map<string, { title?: unknown }> {
  const found = new Map<string, { title?: unknown }>();
  const visit = (node: unknown, from: string): void => {
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && !value.startsWith('#')) {
        const target = path.resolve(from, value.split('#')[0]);
        if (found.has(target)) continue;
        const json = JSON.parse(readFileSync(target, 'utf8')) as { title?: unknown };
        found.set(target, json);
        visit(json, path.dirname(target));
      } else visit(value, from);
    }
  };
  visit(document, dir);
  return found;
}

export async function bundledOpenapi(origin: string, file: string = OPENAPI_FILE): Promise<Json> {
  const bundle = await bundleOf(file);
  const retarget = (servers: unknown): Server[] | undefined =>
    Array.isArray(servers) ? towards(servers as Server[], origin) : undefined;
  // The kept bundle is shared by every request: only copies are retargeted.
  const paths = Object.entries((bundle.paths ?? {}) as Record<string, Json>).map(([path, item]) => [
    path,
    item.servers ? { ...item, servers: retarget(item.servers) } : item,
  ]);
  return { ...bundle, servers: retarget(bundle.servers), paths: Object.fromEntries(paths) };
}

/**
 * The servers with every loopback one (the mock on its default address) moved to `origin`,
 * keeping its path, and listed first: this server is the one a reader here can try.
 */
export function towards(servers: Server[], origin: string): Server[] {
  const own: Server[] = [];
  const others: Server[] = [];
  for (const server of servers) {
    const url = new URL(server.url);
    if (isLoopbackHost(url.hostname)) {
      own.push({
        url: `${origin}${url.pathname.replace(/\/$/, '')}`,
        description: 'This mock server',
      });
    } else others.push(server);
  }
  return [...own, ...others];
}
