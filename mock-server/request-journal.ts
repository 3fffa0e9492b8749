/**
 * The request journal: the last requests the server answered (admin calls excluded), with
 * status, latency, workspace, headers and bodies — keys redacted — for QA to see exactly what a
 * client sent and got.
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { JournalEntry } from '../schemas/generated/admin/journal-list';
import { now } from './ids';

const BODY_LIMIT = 10 * 1024;
const SECRET_HEADERS = new Set(['x-api-key', 'x-admin-token', 'authorization', 'cookie']);

declare module 'fastify' {
  interface FastifyRequest {
    /** The answer's body as sent, kept for the journal. */
    sentBody?: string;
  }
}

export class RequestJournal {
  private entries: JournalEntry[] = [];
  private nextId = 1;

  constructor(
    private readonly capacity: number,
    private readonly redact: (text: string) => string,
  ) {}

  latest(limit: number): JournalEntry[] {
    return this.entries.slice(-limit).reverse();
  }

  install(app: FastifyInstance): void {
    app.addHook('onSend', async (request, _reply, payload) => {
      if (typeof payload === 'string') request.sentBody = payload;
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => {
      if (request.url.startsWith('/__admin')) return;
      this.entries.push({
        id: this.nextId++,
        at: now(),
        method: request.method,
        path: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        workspace_id: request.workspace?.id ?? null,
        request: {
          headers: this.headers(request.headers),
          body: request.body === undefined ? null : this.body(JSON.stringify(request.body)),
        },
        response: {
          headers: this.headers(reply.getHeaders() as IncomingHttpHeaders),
          body: request.sentBody === undefined ? null : this.body(request.sentBody),
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
      out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? '[redacted]' : this.redact(text);
    }
    return out;
  }

  private body(text: string): string {
    const redacted = this.redact(text);
    return redacted.length > BODY_LIMIT ? `${redacted.slice(0, BODY_LIMIT)}…` : redacted;
  }
}
