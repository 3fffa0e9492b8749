/**
 * The one validation module: every schema file is compiled once (Ajv, JSON Schema 2020-12,
 * strict, ajv-formats) and shared by the mock server, the contract tests and the app's tests.
 *
 * Two extension keywords carry the contract's error rules in the schema files themselves:
 * - `x-error-codes` on a request property: which error code a violation of that property gets,
 *   either one code for any violation or a map from the failing keyword to a code
 *   (`required` meaning the property is absent). Anything unmapped is `invalid-request`.
 * - `x-http-status` on the error-code enum: the HTTP status of each code.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { pathToFileURL } from 'node:url';
import { readSchema, schemaFile, schemaNames } from './catalog';
import type { SchemaTypes } from './generated';
import type { ErrorCode } from './generated/error';

export type { SchemaTypes } from './generated';
export type { ErrorCode } from './generated/error';
export type SchemaName = keyof SchemaTypes;

export type Validation<T> =
  { valid: true; value: T } | { valid: false; errors: ErrorObject[]; message: string };

export type RequestValidation<T> =
  | { valid: true; value: T }
  | { valid: false; code: ErrorCode; message: string; errors: ErrorObject[] };

type ErrorCodeRule = ErrorCode | Partial<Record<string, ErrorCode>>;

/** What a violation gets when its schema names no code. */
const DEFAULT_REQUEST_ERROR: ErrorCode = 'invalid-request';

function makeAjv(options: { useDefaults: boolean; coerceTypes: boolean }): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    allowUnionTypes: true,
    // One error, the first Ajv meets: its keyword order (required before properties, pattern
    // before format) is what makes a blank email "missing" rather than "invalid".
    allErrors: false,
    ...options,
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-error-codes', schemaType: ['string', 'object'] });
  ajv.addKeyword({ keyword: 'x-http-status', schemaType: 'object' });
  // Each file is registered under its own file URL, which makes the relative $refs between
  // files resolve exactly as they do for any other JSON Schema tool (the files carry no $id).
  for (const name of schemaNames()) ajv.addSchema(readSchema(name), schemaUri(name));
  return ajv;
}

function schemaUri(name: string): string {
  return pathToFileURL(schemaFile(name)).href;
}

/** Checks data as it is, never changing it: responses, payloads, fixtures, outgoing requests. */
const exact = makeAjv({ useDefaults: false, coerceTypes: false });
/** Reads a JSON request body: fills in schema defaults, converts nothing. */
const bodies = makeAjv({ useDefaults: true, coerceTypes: false });
/** Reads query strings and headers, whose values arrive as text: fills defaults, converts types. */
const texts = makeAjv({ useDefaults: true, coerceTypes: true });

const compiled = new Map<Ajv2020, Map<string, ValidateFunction>>();

function validatorFor(ajv: Ajv2020, name: SchemaName): ValidateFunction {
  let byName = compiled.get(ajv);
  if (!byName) compiled.set(ajv, (byName = new Map<string, ValidateFunction>()));
  let validateFn = byName.get(name);
  if (!validateFn) {
    validateFn = ajv.getSchema(schemaUri(name));
    if (!validateFn) throw new Error(`unknown schema ${name}`);
    byName.set(name, validateFn);
  }
  return validateFn;
}

/** Compiles every schema now, so that a broken schema fails at start-up, not on a request. */
export function compileAll(): void {
  for (const name of schemaNames() as SchemaName[]) {
    for (const ajv of [exact, bodies, texts]) validatorFor(ajv, name);
  }
}

/** Plain words for a client: `email: must match format "email"`. */
export function describeErrors(errors: readonly ErrorObject[]): string {
  return errors
    .map((error) => {
      const path =
        error.keyword === 'required'
          ? `${error.instancePath}/${String(error.params.missingProperty)}`
          : error.instancePath;
      const where = path ? path.slice(1).replace(/\//g, '.') : 'body';
      const detail =
        error.keyword === 'required' ? 'is required' : (error.message ?? error.keyword);
      return `${where}: ${detail}`;
    })
    .join('; ');
}

/** Validates data against a schema without changing it. */
export function validate<N extends SchemaName>(name: N, data: unknown): Validation<SchemaTypes[N]> {
  const validateFn = validatorFor(exact, name);
  if (validateFn(data)) return { valid: true, value: data as SchemaTypes[N] };
  const errors = validateFn.errors ?? [];
  return { valid: false, errors, message: describeErrors(errors) };
}

/** Throws a readable error unless data is valid; for tests and start-up checks. */
export function assertValid<N extends SchemaName>(name: N, data: unknown): SchemaTypes[N] {
  const result = validate(name, data);
  if (!result.valid) throw new Error(`not a valid ${name}: ${result.message}`);
  return result.value;
}

/**
 * Reads an incoming request part (a JSON body, or a query/header object of strings): applies
 * the schema's defaults to a copy and, on a violation, names the error code the schema assigns.
 */
export function readRequest<N extends SchemaName>(
  name: N,
  data: unknown,
  source: 'body' | 'text' = 'body',
): RequestValidation<SchemaTypes[N]> {
  const copy: unknown = structuredClone(data);
  const validateFn = validatorFor(source === 'body' ? bodies : texts, name);
  if (validateFn(copy)) return { valid: true, value: copy as SchemaTypes[N] };
  const errors = validateFn.errors ?? [];
  return {
    valid: false,
    code: errorCodeFor(name, errors[0]),
    message: describeErrors(errors),
    errors,
  };
}

/**
 * The code of one violation: the `x-error-codes` rule nearest to the offending value, walking
 * down the request schema along the instance path (a missing property counts as its own path).
 */
export function errorCodeFor(name: SchemaName, error: ErrorObject | undefined): ErrorCode {
  if (!error) return DEFAULT_REQUEST_ERROR;
  const segments = error.instancePath.split('/').slice(1).map(unescapePointer);
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  let node: Record<string, unknown> | undefined = readSchema(name);
  let code: ErrorCode = DEFAULT_REQUEST_ERROR;
  for (const segment of ['', ...segments]) {
    if (segment !== '') node = childSchema(node, segment);
    if (!node) break;
    const rule = node['x-error-codes'] as ErrorCodeRule | undefined;
    const ruled = typeof rule === 'string' ? rule : rule?.[error.keyword];
    if (ruled) code = ruled;
  }
  return code;
}

function childSchema(
  node: Record<string, unknown> | undefined,
  segment: string,
): Record<string, unknown> | undefined {
  const properties = node?.properties as Record<string, Record<string, unknown>> | undefined;
  if (properties?.[segment]) return properties[segment];
  if (/^\d+$/.test(segment) && typeof node?.items === 'object') {
    return node.items as Record<string, unknown>;
  }
  return undefined;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

const errorCodeSchema = (readSchema('error').$defs as Record<string, Record<string, unknown>>).code;

/** Every error code of the contract, in the order of the enum. */
export const ERROR_CODES = errorCodeSchema.enum as readonly ErrorCode[];

const HTTP_STATUS = errorCodeSchema['x-http-status'] as Record<ErrorCode, number>;

/** The HTTP status the contract fixes for an error code. */
export function statusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}
