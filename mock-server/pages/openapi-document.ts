/**
 * GET /openapi.json: openapi.yaml with every schema file it refers to bundled into one OpenAPI
 * 3.1 document (the file is the source, never a committed copy), with the local mock's servers
 * pointed at this very server so that a renderer's "try it" calls it.
 */
import $RefParser from '@apidevtools/json-schema-ref-parser';
import path from 'node:path';
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
    bundle = $RefParser.bundle<Json>(file);
    bundles.set(file, bundle);
    bundle.catch(() => bundles.delete(file));
  }
  return bundle;
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
