/**
 * GET /openapi.json: openapi.yaml with every schema file it refers to bundled into one OpenAPI
 * 3.1 document, read anew on each request (the file is the source, never a copy), with the
 * local mock's servers pointed at this very server so that a renderer's "try it" calls it.
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

export async function bundledOpenapi(origin: string, file: string = OPENAPI_FILE): Promise<Json> {
  const document = await $RefParser.bundle<Json>(file);
  const retarget = (servers: unknown): Server[] | undefined =>
    Array.isArray(servers) ? towards(servers as Server[], origin) : undefined;
  document.servers = retarget(document.servers);
  for (const item of Object.values((document.paths ?? {}) as Record<string, Json>)) {
    if (item.servers) item.servers = retarget(item.servers);
  }
  return document;
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
