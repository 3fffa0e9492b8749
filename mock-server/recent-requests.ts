/**
 * The request journal (GET /__admin/journal): the last requests the API answered, with status,
 * latency, workspace, headers and bodies as they travelled — keys redacted wherever they
 * appear, the query string included — for QA to see exactly what a client sent and got.
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { JournalEntry } from '../schemas/generated/admin/journal-list';
import { now } from './clock';
import { redact, redactUrl } from './redaction';

const BODY_LIMIT = 10 * 1024;
const SECRET_HEADERS = new Set(['x-api-key', 'x-admin-token', 'authorization', 'cookie']);

export class RecentRequests {
  private entries: JournalEntry[] = [];
  private nextId = 1;

  constructor(private readonly capacity: number) {}

  latest(limit: number): JournalEntry[] {
    return this.entries.slice(-limit).reverse();
  }

  install(app: FastifyInstance): void {
    app.addHook('onSend', async (request, _reply, payload) => {
      if (typeof payload === 'string') request.sentBody = payload;
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => {
      // originalUrl: the db browser's express strips its mount path from request.url.
      if (request.originalUrl.startsWith('/__admin') || request.routeOptions.config?.page) return;
      this.entries.push({
        id: this.nextId++,
        at: now(),
        method: request.method,
        path: redactUrl(request.originalUrl),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        workspace_id: request.workspace?.id ?? null,
        request: {
          headers: this.headers(request.headers),
          body: request.receivedBody === null ? null : this.body(request.receivedBody),
        },
        response: {
          headers: this.headers(reply.getHeaders() as IncomingHttpHeaders),
          body: request.sentBody === null ? null : this.body(request.sentBody),
        },
      });
      if (this.entries.length > this.capacity) this.entries.shift();
    });
  }

  private headers(headers: IncomingHttpHeaders): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      const text = Array.isArray(value) ? value.join(', ') : String(value);
      out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? '[redacted]' : redact(text);
    }
    return out;
  }

  private body(text: string): string {
    const redacted = redact(text);
    return redacted.length > BODY_LIMIT ? `${redacted.slice(0, BODY_LIMIT)}…` : redacted;
  }
}
