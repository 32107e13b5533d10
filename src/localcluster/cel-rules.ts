import { CelScalar, celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import type { CelInput, CelResult } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { SchemaCompileError } from './schema-errors.js';
import type { FieldErrorType } from './schema-errors.js';

type Program = (bindings: { self: CelInput; oldSelf: CelInput }) => CelResult;

/** One `x-kubernetes-validations` entry, parsed and planned once when the CRD is loaded. */
export interface CompiledRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: Program;
  /** Extra path below the node the rule sits on, e.g. `.replicas`. */
  readonly fieldPath?: string;
  readonly reason: FieldErrorType;
  /** Transition rules read `oldSelf` and only run on update, when an old value exists. */
  readonly usesOldSelf: boolean;
  readonly program: Program;
}

const REASONS: Record<string, FieldErrorType> = {
  FieldValueInvalid: 'FieldValueInvalid',
  FieldValueForbidden: 'FieldValueForbidden',
  FieldValueRequired: 'FieldValueRequired',
  FieldValueDuplicate: 'FieldValueDuplicate',
};

// TODO(#2): the Kubernetes CEL libraries (quantity(), isSorted(), url(), format), cost limits and
// optionalOldSelf are not provided; rules in our CRDs use only standard CEL and string functions.
const env = celEnv({
  variables: { self: CelScalar.DYN, oldSelf: CelScalar.DYN },
  funcs: strings,
});

function mentionsOldSelf(expr: unknown, seen = new Set<unknown>()): boolean {
  if (expr === null || typeof expr !== 'object' || seen.has(expr)) return false;
  seen.add(expr);
  const e = expr as { case?: unknown; value?: { name?: unknown } };
  if (e.case === 'identExpr' && e.value?.name === 'oldSelf') return true;
  return Object.values(expr).some((v) => mentionsOldSelf(v, seen));
}

function compileExpression(source: string, at: string): { program: Program; usesOldSelf: boolean } {
  let parsed;
  try {
    parsed = parse(source);
  } catch (cause) {
    throw new SchemaCompileError(at, `compilation failed: ${String(cause)}`, { cause });
  }
  const planned = plan(env, parsed);
  // Evaluation never throws: errors come back as CelError values.
  const program: Program = (bindings) => planned(bindings);
  return { program, usesOldSelf: mentionsOldSelf(parsed.expr) };
}

function ruleField(entry: Record<string, unknown>, key: string, at: string): string | undefined {
  const v = entry[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new SchemaCompileError(`${at}.${key}`, 'expected a string');
  return v;
}

/**
 * Compiles a node's `x-kubernetes-validations` list.
 * @throws SchemaCompileError when a rule or messageExpression does not parse
 */
export function compileRules(raw: unknown, at: string): CompiledRule[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new SchemaCompileError(at, 'expected a list of rules');
  return raw.map((entry: unknown, i) => {
    const here = `${at}[${i}]`;
    if (entry === null || typeof entry !== 'object') {
      throw new SchemaCompileError(here, 'expected a rule object');
    }
    const e = entry as Record<string, unknown>;
    const rule = ruleField(e, 'rule', here);
    if (rule === undefined || rule.trim() === '') {
      throw new SchemaCompileError(`${here}.rule`, 'Required value');
    }
    const compiled = compileExpression(rule, `${here}.rule`);
    const message = ruleField(e, 'message', here);
    const msgExpr = ruleField(e, 'messageExpression', here);
    const fieldPath = ruleField(e, 'fieldPath', here);
    const reasonRaw = ruleField(e, 'reason', here);
    const reason = reasonRaw === undefined ? 'FieldValueInvalid' : REASONS[reasonRaw];
    if (reason === undefined) {
      throw new SchemaCompileError(`${here}.reason`, `unsupported reason ${reasonRaw ?? ''}`);
    }
    return {
      rule,
      reason,
      usesOldSelf: compiled.usesOldSelf,
      program: compiled.program,
      ...(message !== undefined && { message }),
      ...(fieldPath !== undefined && { fieldPath }),
      ...(msgExpr !== undefined && {
        messageExpression: compileExpression(msgExpr, `${here}.messageExpression`).program,
      }),
    };
  });
}

/** The outcome of one rule on one value: passed, or the detail the API server reports. */
export type RuleOutcome = { ok: true } | { ok: false; detail: string };

function errorText(err: Error): string {
  // Say it the way the Kubernetes CEL runtime does, so messages match a real cluster's.
  return err.message.replace(/^field not found: /, 'no such key: ');
}

/** Runs one rule. `oldSelf` is null when the rule is not a transition rule. */
export function evaluateRule(rule: CompiledRule, self: CelInput, oldSelf: CelInput): RuleOutcome {
  const result = rule.program({ self, oldSelf });
  const fallback = rule.message?.trim() ?? '';
  if (isCelError(result)) {
    return {
      ok: false,
      detail: `${errorText(result)} evaluating rule: ${fallback !== '' ? fallback : rule.rule.trim()}`,
    };
  }
  if (result === true) return { ok: true };
  if (result !== false) {
    return { ok: false, detail: `rule did not evaluate to a bool: ${rule.rule.trim()}` };
  }
  if (rule.messageExpression) {
    const m = rule.messageExpression({ self, oldSelf });
    if (typeof m === 'string' && m.trim() !== '') return { ok: false, detail: m };
  }
  return { ok: false, detail: fallback !== '' ? fallback : `failed rule: ${rule.rule.trim()}` };
}
