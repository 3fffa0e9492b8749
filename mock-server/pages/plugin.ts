/**
 * The pages a person opens in a browser: the QA dashboard at `/` and the API docs at `/docs`
 * (Swagger UI from its npm package, over `/openapi.json`). They are files and the contract only:
 * everything the dashboard shows or changes goes through the admin API and its guard. Their
 * routes are marked `page`: they are not API operations (openapi.yaml does not list them) and
 * the request journal leaves them out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../http/errors';
import { bundledOpenapi } from './openapi-document';
import { PROJECT_ROOT, staticFiles, type StaticFile } from './static-files';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A page or one of its files, not an API operation. */
    page?: boolean;
  }
}

const DASHBOARD_DIR = path.join(PROJECT_ROOT, 'mock-server', 'dashboard');
const DOCS_DIR = path.join(PROJECT_ROOT, 'mock-server', 'docs-page');
/** The files of Swagger UI the docs page loads (the package also holds a demo page). */
const SWAGGER_UI_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png'];

/**
 * The pages load only their own files and talk only to this server; the styles Swagger UI sets
 * on elements need inline styles.
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; " +
    "form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** The server's own origin as the browser sees it (the Host it asked for). */
function originOf(request: FastifyRequest): string {
  const local = request.raw.socket;
  const host = request.host || `${local.localAddress}:${local.localPort}`;
  try {
    return new URL(`http://${host}`).origin;
  } catch {
    throw new ApiError('invalid-request', 'the Host header is not a host');
  }
}

export function pagesPlugin() {
  return async (app: FastifyInstance): Promise<void> => {
    const swaggerUiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
    const dashboard = staticFiles(DASHBOARD_DIR);
    const docs = new Map([
      ...staticFiles(DOCS_DIR),
      ...staticFiles(swaggerUiDir, SWAGGER_UI_FILES),
    ]);
    const contents = new FileContents();
    const sendFile = async (reply: FastifyReply, files: Map<string, StaticFile>, name: string) => {
      const found = files.get(name);
      if (!found) throw new ApiError('not-found', 'no such file');
      return reply
        .headers(PAGE_HEADERS)
        .type(found.type)
        .send(await contents.of(found.file));
    };
    const named = (request: FastifyRequest) => (request.params as { file: string }).file;
    const pages: Record<string, (request: FastifyRequest, reply: FastifyReply) => unknown> = {
      '/': (_request, reply) => sendFile(reply, dashboard, 'index.html'),
      '/dashboard/:file': (request, reply) => sendFile(reply, dashboard, named(request)),
      '/docs': (_request, reply) => sendFile(reply, docs, 'index.html'),
      '/docs/:file': (request, reply) => sendFile(reply, docs, named(request)),
      '/openapi.json': async (request, reply) =>
        reply.headers(PAGE_HEADERS).send(await bundledOpenapi(originOf(request))),
    };
    // Pages answer HEAD as well (fastify's own HEAD route for each GET): browsers may ask.
    for (const [url, handler] of Object.entries(pages)) {
      app.route({
        method: 'GET',
        url,
        config: { page: true },
        handler: async (request, reply) => handler(request, reply),
      });
    }
  };
}

/**
 * The files' bytes, read once for as long as the file is unchanged (a dashboard file edited in
 * the sources is read again on its next request). Every answer of a file sends the same buffer:
 * answers waiting for slow clients, however many, share it (read afresh for each, 1,092
 * pipelined requests for Swagger UI's 1.5 MB bundle held 2 GB).
 */
class FileContents {
  private readonly read = new Map<string, { mtimeMs: number; size: number; bytes: Buffer }>();

  async of(file: string): Promise<Buffer> {
    const { mtimeMs, size } = await stat(file);
    const known = this.read.get(file);
    if (known && known.mtimeMs === mtimeMs && known.size === size) return known.bytes;
    const bytes = await readFile(file);
    this.read.set(file, { mtimeMs, size, bytes });
    return bytes;
  }
}
