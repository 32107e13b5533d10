import { NO_OLD_VALUE, validateRules } from './schema-cel.js';
import { applyDefaultsAt } from './schema-defaults.js';
import { ROOT_FIELD, type FieldError, type FieldErrorType } from './schema-errors.js';
import { compileNode, type SchemaNode } from './schema-node.js';
import { pruneAt } from './schema-prune.js';
import { validateNode } from './schema-validate.js';

export type { FieldError, FieldErrorType } from './schema-errors.js';
export { formatFieldError, formatBadValue, SchemaCompileError } from './schema-errors.js';

// Kinds of structural failure after which the API server skips CEL rules: the rules could not
// safely read a value of the wrong type or shape.
const BLOCKING = new Set<FieldErrorType>([
  'FieldValueNotSupported',
  'FieldValueRequired',
  'FieldValueTooLong',
  'FieldValueTooMany',
  'FieldValueTypeInvalid',
]);

/**
 * A compiled structural schema (a CRD version's `schema.openAPIV3Schema`). Compiled once in the
 * constructor; every method walks the compiled form and never throws on any JSON input.
 * @throws SchemaCompileError from the constructor when the schema or a CEL rule is malformed
 */
export class StructuralSchema {
  private readonly root: SchemaNode;

  constructor(readonly openAPIV3Schema: unknown) {
    this.root = compileNode(openAPIV3Schema, 'openAPIV3Schema');
  }

  /** Fills defaults in place, as the API server does on create, update and read. */
  applyDefaults(obj: Record<string, unknown>): void {
    applyDefaultsAt(this.root, obj, true);
  }

  /** Removes fields the schema does not know, in place; returns their paths. */
  prune(obj: Record<string, unknown>): string[] {
    return pruneAt(this.root, obj, '', true);
  }

  /**
   * Types, required, enums, bounds, patterns, formats and CEL rules (`self`, and `oldSelf` on
   * update when `old` is given). Call after defaulting and pruning, as the API server does.
   */
  validate(obj: Record<string, unknown>, old?: Record<string, unknown>): FieldError[] {
    const errs: FieldError[] = [];
    validateNode(this.root, obj, '', errs, true);
    if (!this.root.hasRulesBelow) return errs;
    if (errs.some((e) => BLOCKING.has(e.type))) {
      errs.push({
        type: 'FieldValueInvalid',
        field: ROOT_FIELD,
        value: null,
        message:
          'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      });
      return errs;
    }
    validateRules(this.root, obj, old ?? NO_OLD_VALUE, '', errs, true);
    return errs;
  }
}
