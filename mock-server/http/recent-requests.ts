/**
 * The request journal (GET /__admin/journal): the last requests the API answered, with status,
 * latency, workspace, headers and bodies as they travelled — keys redacted wherever they
 * appear, the query string included — for QA to see exactly what a client sent and got.
 * Bounded by entries and by bytes, the oldest dropped first, and each text (the URL, a header,
 * a body) is kept only as far as the journal shows it: what callers send (bodies up to 100 KiB,
 * headers up to 64 KiB) cannot grow it past JOURNAL_MAX_BYTES.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { JournalEntry } from '../../schemas/generated/admin/journal-list';
import { API_PREFIX } from '../api/prefix';
import { redact, redactUrl } from './redaction';

/** The most of a text (the URL, a header, a body) the journal shows. */
const TEXT_LIMIT = 10 * 1024;
/**
 * Characters kept beyond TEXT_LIMIT, so that a key that starts before the limit is redacted as if
 * the whole text had been kept: as sent, or escaped a few times over, a key is far shorter. One
 * spread wider by deeply nested escapes is cut before its secret, or inside it, where the part
 * kept still reads as a key and is redacted: its secret is never shown.
 */
const REDACTION_MARGIN = 4 * 1024;
/** The most of a text the journal keeps. */
const KEPT_CHARS = TEXT_LIMIT + REDACTION_MARGIN;
/**
 * The most the journal's entries may hold, counted as entrySize() counts them. What it holds
 * outlives V8's young generation, so a flood turns into old-generation garbage in proportion:
 * under a flood of 160 KB requests, 32 MiB cost 84 MB more RSS at peak than no journal, 8 MiB
 * 22 to 35 MB, 4 MiB about 10 MB less than 8 (docs/performance.md). 4 MiB still holds a
 * thousand ordinary requests (about 3 KB each as counted).
 */
export const JOURNAL_MAX_BYTES = 4 * 1024 * 1024;
/** An entry's objects and our own response headers, beyond the strings entrySize() counts. */
const ENTRY_OVERHEAD_BYTES = 1024;
const SECRET_HEADERS = new Set([
  'x-api-key',
  'x-admin-token',
  'authorization',
  'proxy-authorization',
  'cookie',
]);
/**
 * What each header line (its name and its value, each a string of its own, and a property of
 * the headers object) holds beyond its characters: 3,000 requests of 999 empty headers each were
 * counted 5 KB an entry by characters alone and held about 45 KB.
 */
const HEADER_OVERHEAD_BYTES = 48;

/**
 * What the journal keeps of a request as it is answered: references and numbers only. Redaction
 * and formatting cost more than the rest of a small request's handling, so they wait until
 * someone reads the journal (few requests are ever read, and each at most a few times).
 */
interface Captured {
  id: number;
  atMs: number;
  method: string;
  url: string;
  status: number;
  ms: number;
  workspaceId: string | null;
  requestHeaders: IncomingHttpHeaders;
  requestBody: string | null;
  responseHeaders: IncomingHttpHeaders;
  responseBody: string | null;
  /** The response body's length in bytes when only part of it is kept; null: derive it. */
  responseLength: number | null;
  /** What the kept request headers hold, in bytes (headersSize), counted once when captured. */
  headerBytes: number;
  /** What the entry counts towards JOURNAL_MAX_BYTES; -1 once it has left the journal. */
  bytes: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's journal entry, once an answer to it has been sent. */
    journaled: Captured | null;
  }
}

export class RecentRequests {
  private entries: Captured[] = [];
  private nextId = 1;
  /** The sum of the entries' bytes. */
  private bytes = 0;

  constructor(
    private readonly capacity: number,
    readonly maxBytes: number = JOURNAL_MAX_BYTES,
  ) {}

  /**
   * The newest `limit` entries that match the filters: a status class (`4xx`), and text the
   * path contains as the journal shows it (keys redacted, so a key cannot be searched for).
   */
  latest(limit: number, filters: { status?: string; path?: string } = {}): JournalEntry[] {
    const { status, path } = filters;
    const found: JournalEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && found.length < limit; i--) {
      const captured = this.entries[i];
      if (status && String(captured.status)[0] !== status[0]) continue;
      if (path && !redactUrl(captured.url).includes(path)) continue;
      found.push(this.entry(captured));
    }
    return found;
  }

  /**
   * One onSend callback: an answer is journaled as it is sent, with its status, headers, body and
   * the time taken until then. One hook, not async, because it runs on every request and each
   * hook call and promise cost more than the capture itself.
   */
  install(app: FastifyInstance): void {
    app.decorateRequest('journaled', null);
    app.addHook('onSend', (request, reply, payload, done) => {
      // Sent again: the first answer was replaced before it left (a response that failed verify
      // mode's check becomes a 500, sent through this hook once more): its entry is updated.
      if (request.journaled) {
        answered(request.journaled, reply, payload);
        this.resized(request.journaled);
        return done(null, payload);
      }
      // originalUrl: the db browser's express strips its mount path from request.url. API calls
      // are never pages: they skip routeOptions, which fastify builds afresh on every read.
      const url = request.originalUrl;
      if (
        url.startsWith(API_PREFIX) ||
        (!url.startsWith('/__admin') && !request.routeOptions.config?.page)
      ) {
        const { headers, bytes } = keptHeaders(request.headers, request.raw.rawHeaders);
        const entry: Captured = {
          id: this.nextId++,
          atMs: Date.now(),
          method: request.method,
          url: kept(url),
          workspaceId: request.workspace?.id ?? null,
          requestHeaders: headers,
          requestBody: kept(request.receivedBody),
          status: 0,
          ms: 0,
          responseHeaders: {},
          responseBody: null,
          responseLength: null,
          headerBytes: bytes,
          bytes: 0,
        };
        request.journaled = entry;
        this.entries.push(entry);
        answered(entry, reply, payload);
        this.resized(entry);
      }
      done(null, payload);
    });
  }

  /** Counts an entry's (new) size, then drops the oldest entries while over either bound. */
  private resized(entry: Captured): void {
    if (entry.bytes < 0) return; // dropped already
    const bytes = entrySize(entry);
    this.bytes += bytes - entry.bytes;
    entry.bytes = bytes;
    // The newest entry stays, whatever its size: one entry is far below the bound.
    while (
      this.entries.length > this.capacity ||
      (this.bytes > this.maxBytes && this.entries.length > 1)
    ) {
      const dropped = this.entries.shift() as Captured;
      this.bytes -= dropped.bytes;
      dropped.bytes = -1;
    }
  }

  private entry(captured: Captured): JournalEntry {
    return {
      id: captured.id,
      at: new Date(captured.atMs).toISOString(),
      method: captured.method,
      path: truncated(redactUrl(captured.url)),
      status: captured.status,
      ms: Math.round(captured.ms * 10) / 10,
      workspace_id: captured.workspaceId,
      request: {
        headers: this.headers(captured.requestHeaders),
        body: captured.requestBody === null ? null : truncated(redact(captured.requestBody)),
      },
      response: {
        headers: this.headers(withLength(captured)),
        body: captured.responseBody === null ? null : truncated(redact(captured.responseBody)),
      },
    };
  }

  private headers(headers: IncomingHttpHeaders): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      const text = Array.isArray(value) ? value.join(', ') : String(value);
      // A header's name is what its sender chose too: a key sent as one is hidden like any.
      out[truncated(redact(name))] = SECRET_HEADERS.has(name.toLowerCase())
        ? '[redacted]'
        : truncated(redact(text));
    }
    return out;
  }
}

/** Notes the answer being sent on its entry; returns the payload, unchanged. */
function answered(entry: Captured, reply: FastifyReply, payload: unknown): unknown {
  entry.status = reply.statusCode;
  entry.ms = reply.elapsedTime;
  entry.responseHeaders = reply.getHeaders() as IncomingHttpHeaders;
  entry.responseBody = typeof payload === 'string' ? kept(payload) : null;
  entry.responseLength =
    typeof payload === 'string' && entry.responseBody !== payload
      ? Buffer.byteLength(payload)
      : null;
  return payload;
}

/**
 * What the journal keeps of a text: all of it, or its first KEPT_CHARS characters as a copy of
 * their own (a slice would keep the whole text alive). UTF-16 both ways, so that every
 * character, even half a surrogate pair, is copied as it is.
 */
function kept<T extends string | null>(text: T): T {
  if (text === null || text.length <= KEPT_CHARS) return text;
  return Buffer.from(text.slice(0, KEPT_CHARS), 'utf16le').toString('utf16le') as T;
}

/** A text as the journal shows it: at most TEXT_LIMIT characters, then an ellipsis. */
function truncated(text: string): string {
  return text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT)}…` : text;
}

/**
 * The request headers as the journal keeps them, and what they hold (headersSize): the request's
 * own object (most requests), or a copy whose long values are cut to what the journal shows.
 */
function keptHeaders(
  headers: IncomingHttpHeaders,
  raw: readonly string[],
): { headers: IncomingHttpHeaders; bytes: number } {
  let chars = 0;
  let longest = 0;
  for (const text of raw) {
    chars += text.length;
    if (text.length > longest) longest = text.length;
  }
  // Node's raw headers are a name and a value a line.
  if (longest <= KEPT_CHARS) return { headers, bytes: headersSize(chars, raw.length / 2) };
  const copy: IncomingHttpHeaders = {};
  chars = 0;
  let lines = 0;
  for (const [name, value] of Object.entries(headers)) {
    const values = (Array.isArray(value) ? value : [value ?? '']).map(kept);
    for (const text of values) chars += name.length + text.length;
    lines += values.length;
    copy[name] = Array.isArray(value) ? values : values[0];
  }
  return { headers: copy, bytes: headersSize(chars, lines) };
}

/** What header lines hold: their characters at two bytes each, and each line's own objects. */
function headersSize(chars: number, lines: number): number {
  return 2 * chars + lines * HEADER_OVERHEAD_BYTES;
}

/**
 * What an entry holds: its strings at two bytes a character (the most V8 stores one in; a body
 * with a single character beyond Latin-1 is stored that way whole), plus a fixed overhead.
 */
function entrySize(entry: Captured): number {
  const chars =
    entry.url.length + (entry.requestBody?.length ?? 0) + (entry.responseBody?.length ?? 0);
  return 2 * chars + entry.headerBytes + ENTRY_OVERHEAD_BYTES;
}

/** Fastify sets content-length after onSend, where the journal looks: it is the body's length. */
function withLength(entry: Captured): IncomingHttpHeaders {
  const { responseHeaders: headers, responseBody: body } = entry;
  if (headers['content-length'] !== undefined || body === null) return headers;
  const length = entry.responseLength ?? Buffer.byteLength(body);
  return { ...headers, 'content-length': String(length) };
}
