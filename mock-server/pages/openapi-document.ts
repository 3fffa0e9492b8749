/**
 * GET /openapi.json: openapi.yaml with every schema file it refers to bundled into one OpenAPI
 * 3.1 document (the file is the source, never a committed copy), with the local mock's servers
 * pointed at this very server so that a renderer's "try it" calls it.
 *
 * Each schema file becomes one entry of `components/schemas`, named by its title, and every
 * reference to it (or into it) points there: no operation refers into another operation, so a
 * tool may drop any of them (Portman's `--filterFile` without the admin tag) and the rest still
 * resolves.
 */
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { isLoopbackHost } from '../admin/guard';
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
    bundle = bundleWithComponents(file);
    bundles.set(file, bundle);
    bundle.catch(() => bundles.delete(file));
  }
  return bundle;
}

/**
 * The bundle, every schema file in `components/schemas`. The bundler puts a file's content at
 * its shallowest reference and points the others there; a `components/schemas/<Title>`
 * reference to each file is shallower than any in an operation, so that is where each lands.
 */
export async function bundleWithComponents(file: string): Promise<Json> {
  const document = parse(readFileSync(file, 'utf8')) as Json;
  const resolved = await $RefParser.resolve(file, structuredClone(document));
  const schemas: Record<string, { $ref: string }> = {};
  for (const schemaFile of resolved.paths('file').filter((found) => found !== file)) {
    const { title } = resolved.get(schemaFile) as { title?: unknown };
    if (typeof title !== 'string' || title in schemas) {
      throw new Error(`${schemaFile}: every schema needs a title of its own, not ${String(title)}`);
    }
    schemas[title] = { $ref: path.relative(path.dirname(file), schemaFile) };
  }
  const components = (document.components ?? {}) as Json;
  document.components = { ...components, schemas: { ...(components.schemas as Json), ...schemas } };
  return $RefParser.bundle<Json>(file, document, {});
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
