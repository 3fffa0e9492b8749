/**
 * The one validation module: every schema file is read and compiled once (Ajv, JSON Schema
 * 2020-12, strict, ajv-formats) and shared by the mock server, the contract tests and the app's
 * tests.
 *
 * Two extension keywords carry the contract's error rules in the schema files themselves:
 * - `x-error-codes` on a request property: which error code a violation of that property gets,
 *   either one code for any violation or a map from the failing keyword to a code
 *   (`required` meaning the property is absent). Anything unmapped is `invalid-request`.
 * - `x-http-status` on the error-code enum: the HTTP status of each code.
 *
 * `SchemaSet` can also be built from another folder: the sync guards' self-tests use a mutated
 * copy of schemas/ to show that the guards notice.
 */
import type Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import type * as AjvModule from 'ajv/dist/2020';
import type * as AjvFormatsModule from 'ajv-formats';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readSchema, schemaFile, schemaNames, SCHEMA_ROOT } from './catalog';
import { isEmailAddress } from './email-address';
import type { SchemaReadTypes, SchemaTypes } from './generated';
import type { ErrorCode } from './generated/error';

export type { SchemaReadTypes, SchemaTypes } from './generated';
export type { ErrorCode } from './generated/error';
export type SchemaName = keyof SchemaTypes;
type Json = Record<string, unknown>;

export type Validation<T> =
  { valid: true; value: T } | { valid: false; errors: ErrorObject[]; message: string };

export type RequestValidation<T> =
  | { valid: true; value: T }
  | { valid: false; code: ErrorCode; message: string; errors: ErrorObject[] };

/** What a request part is: a JSON body (copied), one parsed for the call alone, or query text. */
export type RequestSource = 'body' | 'parsed-body' | 'text';

type ErrorCodeRule = ErrorCode | Partial<Record<string, ErrorCode>>;

/** What a violation gets when its schema names no code. */
const DEFAULT_REQUEST_ERROR: ErrorCode = 'invalid-request';

/**
 * The project's extension keywords: `x-error-codes` (a violation's code), `x-http-status` (each
 * code's status), `x-mock-guard` (the keywords of a node that are the mock's own limits, not API
 * promises), `x-pattern-meaning` (what a `pattern` asks for, in words) and `x-occurrence-key` (on
 * an event payload: the fields that say what an occurrence is about, for the app's result id).
 */
const EXTENSION_KEYWORDS: { keyword: string; schemaType: ('string' | 'object' | 'array')[] }[] = [
  { keyword: 'x-error-codes', schemaType: ['string', 'object'] },
  { keyword: 'x-http-status', schemaType: ['object'] },
  { keyword: 'x-mock-guard', schemaType: ['array'] },
  { keyword: 'x-pattern-meaning', schemaType: ['string'] },
  { keyword: 'x-occurrence-key', schemaType: ['array'] },
];

/** The keywords whose error names a property of its own, and the Ajv parameter that names it. */
const NAMED_PROPERTY: Record<string, string> = {
  required: 'missingProperty',
  additionalProperties: 'additionalProperty',
};

/** What a value of each JSON type is called in a message. */
const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
  // JSON.parse reads a number beyond a double's range (1e400) as Infinity, which no schema takes.
  infinite: 'a number too large to hold',
  // What a request without a body (or with an empty one) has where its body should be.
  undefined: 'missing',
};

/** What a value failing each format is not. */
const FORMAT_WORDS: Record<string, string> = {
  email: 'an email address',
  'idn-email': 'an email address',
  uri: 'an absolute URL',
  'date-time': 'a date and time',
};

/**
 * A violation in words, from the keyword and the limit the schema gives it (Ajv passes the
 * schema's value as `params.limit`), never the schema's own text: `name: at most 200
 * characters`, `tags: at most 100 items`, `target_url: must be an absolute http(s) URL with a
 * host (and a port up to 65535)`.
 */
function violation(error: ErrorObject): string {
  const limit = error.params.limit as number;
  if (isBlankRefusal(error)) return 'must not be blank';
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return 'is not a field of this body';
    case 'maxLength':
      return `at most ${limit} characters`;
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `at least ${limit} characters`;
    case 'maxItems':
      return `at most ${limit} items`;
    case 'minItems':
      return `at least ${limit} items`;
    case 'maxProperties':
      return `at most ${limit} fields`;
    case 'minProperties':
      return `at least ${limit} fields`;
    case 'maximum':
      return `at most ${limit}`;
    case 'minimum':
      return `at least ${limit}`;
    case 'uniqueItems':
      return 'must not list an item twice';
    case 'type': {
      const types = String(error.params.type).split(',');
      const expected = types.map((type) => TYPE_WORDS[type] ?? type).join(' or ');
      return `must be ${expected}, not ${TYPE_WORDS[jsonType(error.data)]}`;
    }
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(error.params.allowedValue)}`;
    case 'format': {
      const format = String(error.params.format);
      return `is not ${FORMAT_WORDS[format] ?? `a valid ${format}`}`;
    }
    case 'pattern': {
      // A pattern is the schema's internals; the schema says in words what it asks for.
      const meaning: unknown = error.parentSchema?.['x-pattern-meaning'];
      return typeof meaning === 'string' ? meaning : 'does not have the expected form';
    }
    default:
      return 'is not valid here';
  }
}

/**
 * A blank string refused for its form (an email's pattern, a tag's `\S`): it says nothing, as if
 * the value were absent, rather than something malformed.
 */
function isBlankRefusal(error: ErrorObject): boolean {
  if (typeof error.data !== 'string' || error.data.trim() !== '') return false;
  if (error.keyword === 'pattern' || error.keyword === 'format') return true;
  // A long blank meets the length guard first (Ajv checks a string's length before its form),
  // but its form refuses it too: it is a blank value, not an over-long one.
  const node = error.parentSchema as { pattern?: string; format?: string } | undefined;
  return (
    error.keyword === 'maxLength' &&
    (node?.format !== undefined ||
      (node?.pattern !== undefined && !new RegExp(node.pattern, 'u').test(error.data)))
  );
}

/** The JSON type of a value, as JSON Schema names it. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'infinite';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/** Whether the schema marks the failing keyword as the mock's own guard (`x-mock-guard`). */
export function isMockGuardError(error: ErrorObject): boolean {
  return isGuardedBy(error.parentSchema, error.keyword);
}

/** Whether `schema` marks `keyword` as one of the mock's guards (`x-mock-guard`). */
export function isGuardedBy(schema: unknown, keyword: string): boolean {
  const guarded: unknown = (schema as Record<string, unknown> | undefined)?.['x-mock-guard'];
  return Array.isArray(guarded) && guarded.includes(keyword);
}

/**
 * Where a violation is: `email`, `customFields.crm_owner`, `tags.3`, or `whole` (what was
 * validated: `body`, a header's name) for the value itself.
 */
function locationOf(error: ErrorObject, whole: string): string {
  const named = NAMED_PROPERTY[error.keyword];
  const path = named ? `${error.instancePath}/${String(error.params[named])}` : error.instancePath;
  return path ? path.slice(1).split('/').map(unescapePointer).join('.') : whole;
}

/** How a refusal by one of the mock's guards says so. */
const MOCK_GUARD_NOTE = "the mock's own guard, not a rule of the Chatting API";

/**
 * Plain words for a client, one place for every route: `name: at most 200 characters (the mock's
 * own guard, not a rule of the Chatting API)`, `email: is not an email address`.
 */
export function describeErrors(errors: readonly ErrorObject[], whole = 'body'): string {
  // Ajv follows the error about a property's name with a `propertyNames` one that says only
  // that the object is invalid: the first says what, and names the property.
  const named = errors.some((error) => error.propertyName !== undefined);
  return errors
    .filter((error) => !(named && error.keyword === 'propertyNames'))
    .map((error) => describeError(error, '', whole))
    .join('; ');
}

/**
 * One violation in words; `context` follows what is wrong, before a guard's note: `customFields:
 * at most 100 fields on a stored contact; this request would leave 130 (the mock's own guard, …)`.
 */
export function describeError(error: ErrorObject, context = '', whole = 'body'): string {
  const guard = isMockGuardError(error) && !isBlankRefusal(error) ? ` (${MOCK_GUARD_NOTE})` : '';
  const name =
    error.propertyName === undefined ? '' : ` field name ${shortQuote(error.propertyName)}:`;
  return `${locationOf(error, whole)}:${name} ${violation(error)}${context}${guard}`;
}

/** A caller's text quoted in a message, cut to a readable length. */
function shortQuote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

export class SchemaSet {
  /** Every schema file's JSON, read once. */
  private readonly json = new Map<string, Json>();
  /**
   * The two Ajv instances, each made on first use (making one costs tens of milliseconds, and a
   * server answering only reads may never need the exact one).
   */
  private exactAjv?: Ajv2020;
  private bodiesAjv?: Ajv2020;
  private readonly compiled = new Map<Ajv2020, Map<string, ValidateFunction>>();
  /** Schemas written outside schemas/ (openapi.yaml's), compiled once each. */
  private readonly inline = new WeakMap<object, ValidateFunction>();
  private inlineCount = 0;
  private readonly types = new Map<string, Map<string, unknown>>();
  readonly errorCodes: readonly ErrorCode[];
  private readonly httpStatus: Record<ErrorCode, number>;

  constructor(readonly root: string = SCHEMA_ROOT) {
    for (const name of schemaNames(root)) this.json.set(name, readSchema(name, root));
    const code = (this.schema('error').$defs as Record<string, Json>).code;
    this.errorCodes = code.enum as ErrorCode[];
    this.httpStatus = code['x-http-status'] as Record<ErrorCode, number>;
  }

  /** Checks data as it is, never changing it: responses, payloads, fixtures, outgoing requests. */
  private get exact(): Ajv2020 {
    return (this.exactAjv ??= this.makeAjv({ useDefaults: false, coerceTypes: false }));
  }

  /** Reads a JSON request body: fills in schema defaults, converts nothing. */
  private get bodies(): Ajv2020 {
    return (this.bodiesAjv ??= this.makeAjv({ useDefaults: true, coerceTypes: false }));
  }

  get names(): SchemaName[] {
    return [...this.json.keys()] as SchemaName[];
  }

  /** The parsed JSON of one schema file. */
  schema(name: string): Json {
    const json = this.json.get(name);
    if (!json) throw new Error(`unknown schema ${name}`);
    return json;
  }

  /** Compiles every schema now, so that a broken schema fails here, not on a request. */
  compileAll(): void {
    for (const name of this.names) {
      for (const ajv of [this.exact, this.bodies]) this.validatorFor(ajv, name);
    }
  }

  /** Validates data against a schema without changing it. */
  validate<N extends SchemaName>(name: N, data: unknown): Validation<SchemaTypes[N]> {
    const validateFn = this.validatorFor(this.exact, name);
    if (validateFn(data)) return { valid: true, value: data as SchemaTypes[N] };
    const errors = validateFn.errors ?? [];
    return { valid: false, errors, message: describeErrors(errors) };
  }

  /**
   * Validates data against a schema written outside schemas/, such as openapi.yaml's
   * compositions of these files (the error envelope restricted to an operation's codes). Its
   * $refs are relative to the folder that holds schemas/, as openapi.yaml's are.
   */
  validateInline(node: Json, data: unknown): Validation<unknown> {
    let validateFn = this.inline.get(node);
    if (!validateFn) {
      const id = `inline-${this.inlineCount++}.json`;
      validateFn = this.exact.compile({
        ...node,
        $id: pathToFileURL(path.join(path.dirname(this.root), id)).href,
      });
      this.inline.set(node, validateFn);
    }
    if (validateFn(data)) return { valid: true, value: data };
    const errors = validateFn.errors ?? [];
    return { valid: false, errors, message: describeErrors(errors) };
  }

  /**
   * Reads an incoming request part (a JSON body, or a query object of strings): applies the
   * schema's defaults to a copy and, on a violation, names the error code the schema assigns.
   * `parsed-body` is a body parsed for this call alone: its defaults are filled in place (a
   * server's freshly parsed request body, which nothing else holds; copying it cost more than
   * validating it).
   */
  readRequest<N extends SchemaName>(
    name: N,
    data: unknown,
    source: RequestSource = 'body',
  ): RequestValidation<SchemaReadTypes[N]> {
    const copy: unknown =
      source === 'text'
        ? this.readText(name, data)
        : source === 'parsed-body'
          ? data
          : structuredClone(data);
    const validateFn = this.validatorFor(this.bodies, name);
    if (validateFn(copy)) return { valid: true, value: copy as SchemaReadTypes[N] };
    const errors = validateFn.errors ?? [];
    return {
      valid: false,
      code: this.errorCodeFor(name, errors[0]),
      message: describeErrors(errors),
      errors,
    };
  }

  /**
   * The code of one violation: invalid-request for a guard's (`x-mock-guard`), otherwise the
   * `x-error-codes` rule nearest to the offending value, walking down the request schema along
   * the instance path (a missing property counts as its own path).
   */
  errorCodeFor(name: SchemaName, error: ErrorObject | undefined): ErrorCode {
    // CONTRACT.md: a refusal by one of the mock's guards is invalid-request, whatever code the
    // property's other rules give (an over-long target_url is not an invalid subscription).
    if (!error || (isMockGuardError(error) && !isBlankRefusal(error))) return DEFAULT_REQUEST_ERROR;
    const segments = error.instancePath.split('/').slice(1).map(unescapePointer);
    if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
    // A null or a blank string where a value belongs counts as the value being absent:
    // `{"email": null}` and `{"email": " "}` are missing-email, as an absent one is.
    const absent = (error.keyword === 'type' && error.data === null) || isBlankRefusal(error);
    const keyword = absent ? 'required' : error.keyword;
    let node: Json | undefined = this.schema(name);
    let code: ErrorCode = DEFAULT_REQUEST_ERROR;
    for (const segment of ['', ...segments]) {
      if (segment !== '') node = childSchema(node, segment);
      if (!node) break;
      const rule = node['x-error-codes'] as ErrorCodeRule | undefined;
      const ruled = typeof rule === 'string' ? rule : rule?.[keyword];
      if (ruled) code = ruled;
    }
    return code;
  }

  /**
   * Query values arrive as text. A value becomes a number only when its property is an integer
   * and the text is a plain decimal integer (`5`, not `5.0`, ` 5`, `0x5` or `1e1`, which Ajv's
   * own coercion would accept); anything else stays text and fails the schema's type.
   */
  private readText(name: SchemaName, data: unknown): unknown {
    if (!data || typeof data !== 'object' || Array.isArray(data)) return structuredClone(data);
    const types = this.propertyTypes(name);
    const copy: Json = {};
    for (const [key, value] of Object.entries(data as Json)) {
      const type = types.get(key);
      copy[key] =
        type === 'integer' && typeof value === 'string' && /^-?(0|[1-9]\d{0,15})$/.test(value)
          ? Number(value)
          : structuredClone(value);
    }
    return copy;
  }

  /** The type of each top-level property of a schema, its $refs followed; found once per schema. */
  private propertyTypes(name: SchemaName): Map<string, unknown> {
    let types = this.types.get(name);
    if (!types) {
      const properties = (this.schema(name).properties ?? {}) as Record<string, Json>;
      types = new Map(
        Object.entries(properties).map(([key, node]) => [key, this.resolve(name, node).type]),
      );
      this.types.set(name, types);
    }
    return types;
  }

  /** Follows a chain of file-relative $refs (from the schema `from`) to the node they end at. */
  resolve(from: string, node: Json): Json {
    let current = node;
    let base = from;
    while (typeof current.$ref === 'string' && current.type === undefined) {
      const [file, pointer = ''] = current.$ref.split('#');
      if (file) base = path.posix.join(path.posix.dirname(base), file.replace(/\.json$/, ''));
      current = pointer
        .split('/')
        .slice(1)
        .reduce<Json>((at, key) => at[key] as Json, this.schema(base));
    }
    return current;
  }

  /** The HTTP status the contract fixes for an error code. */
  statusOf(code: ErrorCode): number {
    return this.httpStatus[code];
  }

  private makeAjv(options: { useDefaults: boolean; coerceTypes: boolean }): Ajv2020 {
    // Loaded with the first instance, not with this module: a server that has not validated
    // anything yet has not paid for loading Ajv either.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const Ajv = (require('ajv/dist/2020') as typeof AjvModule).default;
    const addFormats = (require('ajv-formats') as typeof AjvFormatsModule).default;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const ajv = new Ajv({
      strict: true,
      allowUnionTypes: true,
      // One error, the first Ajv meets: its keyword order (required before properties, pattern
      // before format) is what makes a blank email "missing" rather than "invalid".
      allErrors: false,
      // Errors carry the value and the schema node they failed (a null reads as missing; the
      // message says a guard is the mock's); only failures pay for it.
      verbose: true,
      ...options,
    });
    addFormats(ajv);
    ajv.addFormat('idn-email', isEmailAddress);
    for (const keyword of EXTENSION_KEYWORDS) ajv.addKeyword(keyword);
    // Each file is registered under its own file URL, which makes the relative $refs between
    // files resolve exactly as they do for any other JSON Schema tool (the files carry no $id).
    for (const [name, json] of this.json) ajv.addSchema(json, this.uri(name));
    return ajv;
  }

  private uri(name: string): string {
    return pathToFileURL(schemaFile(name, this.root)).href;
  }

  private validatorFor(ajv: Ajv2020, name: SchemaName): ValidateFunction {
    let byName = this.compiled.get(ajv);
    if (!byName) this.compiled.set(ajv, (byName = new Map<string, ValidateFunction>()));
    let validateFn = byName.get(name);
    if (!validateFn) {
      validateFn = ajv.getSchema(this.uri(name));
      if (!validateFn) throw new Error(`unknown schema ${name}`);
      byName.set(name, validateFn);
    }
    return validateFn;
  }
}

function childSchema(node: Json | undefined, segment: string): Json | undefined {
  const properties = node?.properties as Record<string, Json> | undefined;
  if (properties?.[segment]) return properties[segment];
  if (/^\d+$/.test(segment) && typeof node?.items === 'object') return node.items as Json;
  return undefined;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The payload schema of an event: `tag.added` → `events/tag-added`. */
export function payloadSchemaOf(event: string): SchemaName {
  return `events/${event.replace('.', '-')}` as SchemaName;
}

/** The project's schemas: the instance everything shares. */
export const contract = new SchemaSet();

export const ERROR_CODES = contract.errorCodes;
export const schemaJson = (name: string): Json => contract.schema(name);
export const compileAll = (): void => contract.compileAll();
export const statusOf = (code: ErrorCode): number => contract.statusOf(code);
export const validate = <N extends SchemaName>(name: N, data: unknown) =>
  contract.validate(name, data);
export const readRequest = <N extends SchemaName>(
  name: N,
  data: unknown,
  source: RequestSource = 'body',
) => contract.readRequest(name, data, source);
export const errorCodeFor = (name: SchemaName, error: ErrorObject | undefined): ErrorCode =>
  contract.errorCodeFor(name, error);

/** Throws a readable error unless data is valid; for tests and start-up checks. */
export function assertValid<N extends SchemaName>(name: N, data: unknown): SchemaTypes[N] {
  const result = contract.validate(name, data);
  if (!result.valid) throw new Error(`not a valid ${name}: ${result.message}`);
  return result.value;
}
