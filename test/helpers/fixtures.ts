/**
 * The fixtures under test/fixtures, read by their layout:
 * - reference/<schema name>/<example>.json: an example of the API reference, valid against
 *   schemas/<schema name>.json;
 * - contract/<schema name>/<example>.json: the same for what only the contract defines (the
 *   mock's admin answers), taken from a run of the mock;
 * - negative/<schema name>/<case>.json: `{why, body, code, at}`, a body that must fail that
 *   schema with error code `code` at instance path `at`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ErrorCode, SchemaName } from '../../schemas/validator';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

export interface ReferenceFixture {
  file: string;
  schema: SchemaName;
  body: unknown;
}

export interface NegativeFixture {
  file: string;
  schema: SchemaName;
  why: string;
  body: unknown;
  code: ErrorCode;
  at: string;
}

function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .sort();
}

function schemaOf(file: string): SchemaName {
  return path.dirname(file).split(path.sep).join('/') as SchemaName;
}

/** Valid examples kept under fixtures/<folder>/<schema name>/<example>.json. */
function examplesUnder(folder: 'reference' | 'contract'): ReferenceFixture[] {
  const dir = path.join(FIXTURES, folder);
  return jsonFilesUnder(dir).map((file) => ({
    file: `${folder}/${file}`,
    schema: schemaOf(file),
    body: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as unknown,
  }));
}

export function referenceFixtures(): ReferenceFixture[] {
  return examplesUnder('reference');
}

/** Examples of what only the contract defines (the mock's admin answers), for openapi.yaml. */
export function contractFixtures(): ReferenceFixture[] {
  return examplesUnder('contract');
}

export function negativeFixtures(): NegativeFixture[] {
  const dir = path.join(FIXTURES, 'negative');
  return jsonFilesUnder(dir).map((file) => ({
    file: `negative/${file}`,
    schema: schemaOf(file),
    ...(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Omit<
      NegativeFixture,
      'file' | 'schema'
    >),
  }));
}

/**
 * The reference and the contract decisions live in shared/reference in a folder above the clone
 * (beside it for the main clone, further up for a worktree), so this looks upwards for it.
 */
export const REFERENCE_DIR = findReferenceDir(path.resolve(__dirname, '..', '..'));

function findReferenceDir(start: string): string {
  for (let dir = path.dirname(start); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'reference');
    if (existsSync(path.join(candidate, 'chatting-zapier-api.txt'))) return candidate;
    if (path.dirname(dir) === dir) return path.join(path.dirname(start), 'shared', 'reference');
  }
}

/** The reference's text, or null where this checkout has no copy of it beside it. */
export function referenceText(): string | null {
  const file = path.join(REFERENCE_DIR, 'chatting-zapier-api.txt');
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

/**
 * The JSON block that starts at lines[start] (a line that is just "{"): its value and the index
 * of its last line. The reference runs prose on after a closing brace, which is cut off.
 */
function jsonBlockAt(lines: string[], start: number): { value: unknown; end: number } {
  let depth = 0;
  const block: string[] = [];
  for (let i = start; i < lines.length; i++) {
    let line = lines[i];
    for (let c = 0; c < line.length; c++) {
      if (line[c] === '{') depth++;
      if (line[c] === '}' && --depth === 0) {
        line = line.slice(0, c + 1);
        break;
      }
    }
    block.push(line);
    if (depth === 0) return { value: JSON.parse(block.join('\n')) as unknown, end: i };
  }
  throw new Error(`unterminated JSON block at line ${start + 1} of the reference`);
}

/** The JSON blocks of the reference text: each starts with a line that is just "{". */
export function jsonExamplesOf(text: string): unknown[] {
  const examples: unknown[] = [];
  const lines = text.split('\n');
  for (let start = 0; start < lines.length; start++) {
    if (lines[start].trim() !== '{') continue;
    const block = jsonBlockAt(lines, start);
    examples.push(block.value);
    start = block.end;
  }
  return examples;
}

/** One request example of the reference, with the answers it documents for it. */
export interface ReferenceRequest {
  method: string;
  /** Under the base URL, e.g. /contacts/contact_123/tags or /contacts?limit=1. */
  path: string;
  /** Headers as written (placeholders such as <your-api-key> included). */
  headers: Record<string, string>;
  body?: unknown;
  /** Documented answers, in the reference's order; none for a listed sample endpoint. */
  answers: { status: number; body: unknown }[];
}

const BASE_PATH = '/api/zapier';
/** "GET /api/zapier/me" alone on a line (an HTTP block), or a listed "Name: GET /api/zapier/…". */
const REQUEST_LINE = new RegExp(
  `^(?:(?<listed>[A-Z][\\w -]*): )?(?<method>GET|POST|PUT|PATCH|DELETE) ${BASE_PATH}(?<path>/\\S*?)(?:HTTP)?$`,
);
const HEADER_LINE = /^(?<name>[A-Za-z][A-Za-z-]*): (?<value>.+)$/;
const STATUS_LINE = /^(?<status>[1-5]\d\d) [A-Z][A-Za-z ]*$/;

/**
 * The reference's request examples: every HTTP block that starts with a request line, and every
 * sample endpoint it lists as a complete GET. (Listed POSTs and a path with an {id} placeholder
 * are not requests one can send as written.)
 */
export function requestExamplesOf(text: string): ReferenceRequest[] {
  const lines = text.split('\n').map((line) => line.trimEnd());
  const requests: ReferenceRequest[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = REQUEST_LINE.exec(lines[i])?.groups;
    if (!match) continue;
    if (match.path.includes('{') || (match.listed && match.method !== 'GET')) continue;
    const request: ReferenceRequest = {
      method: match.method,
      path: match.path,
      headers: {},
      answers: [],
    };
    let at = i + 1;
    for (let header; !match.listed && (header = HEADER_LINE.exec(lines[at] ?? '')?.groups); at++) {
      request.headers[header.name] = header.value;
    }
    if (!match.listed && lines[at]?.trim() === '{') {
      const block = jsonBlockAt(lines, at);
      request.body = block.value;
      at = block.end + 1;
    }
    for (let status; (status = STATUS_LINE.exec(lines[at] ?? '')?.groups);) {
      const block = jsonBlockAt(lines, at + 1);
      request.answers.push({ status: Number(status.status), body: block.value });
      at = block.end + 1;
    }
    requests.push(request);
    i = at - 1;
  }
  return requests;
}

/** One reference example, by its file under fixtures/reference (e.g. 'responses/me/workspace'). */
export function referenceExample(name: string): unknown {
  return JSON.parse(
    readFileSync(path.join(FIXTURES, 'reference', `${name}.json`), 'utf8'),
  ) as unknown;
}
