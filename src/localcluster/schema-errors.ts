/** The Kubernetes field error kinds, as they appear in a 422 Status's `details.causes[].reason`. */
export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueTypeInvalid'
  | 'FieldValueForbidden'
  | 'FieldValueDuplicate'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany';

/** One validation failure, located by a field path such as `spec.args[0]`. */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  /** The detail, e.g. `should be greater than or equal to 0`. */
  message: string;
  value?: unknown;
}

/** The field path the API server prints for an error on the object as a whole. */
export const ROOT_FIELD = '<nil>';

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueForbidden: 'Forbidden',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
};

// The API server leaves the bad value out of these kinds: it is either absent or too big to echo.
const VALUE_OMITTED = new Set<FieldErrorType>([
  'FieldValueRequired',
  'FieldValueForbidden',
  'FieldValueTooLong',
]);

/**
 * Formats an error the way the Kubernetes API server does in a Status message, i.e. the text after
 * `is invalid: `, e.g. `spec.command: Required value`.
 */
export function formatFieldError(e: FieldError): string {
  let body = TYPE_TEXT[e.type];
  if (!VALUE_OMITTED.has(e.type)) {
    body += `: ${formatBadValue(e.value)}`;
  }
  if (e.message !== '') {
    body += `: ${e.message}`;
  }
  return `${e.field === '' ? ROOT_FIELD : e.field}: ${body}`;
}

/**
 * Renders a bad value as the API server does: JSON with sorted keys, `<`, `>` and `&` escaped, and
 * `null` for an absent value.
 */
export function formatBadValue(value: unknown): string {
  const text = JSON.stringify(sortKeys(value ?? null));
  // JSON.stringify yields undefined for functions and symbols, which never come from a parsed body.
  return text
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      out[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}

/** A CRD schema that cannot be compiled, e.g. a bad pattern or a CEL rule that does not parse. */
export class SchemaCompileError extends Error {
  override readonly name = 'SchemaCompileError';

  /** @param field where in the schema, e.g. `spec.properties.command.pattern` */
  constructor(
    readonly field: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${detail}`, options);
  }
}
