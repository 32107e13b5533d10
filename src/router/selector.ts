import { InvalidSelectorError } from './errors.js';
import type { LabelSelector } from './types.js';

type Labels = Readonly<Record<string, string>>;

function has(labels: Labels, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key);
}

/**
 * Whether `labels` satisfy `selector`, with the Kubernetes meaning: every matchLabels pair and
 * every expression must hold; NotIn and DoesNotExist hold when the key is absent. An absent or
 * empty selector matches everything. Assumes the selector passed `validateSelector`.
 */
export function matchesSelector(labels: Labels, selector: LabelSelector | undefined): boolean {
  if (selector === undefined) return true;
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined) {
    for (const [key, value] of Object.entries(matchLabels)) {
      if (!has(labels, key) || labels[key] !== value) return false;
    }
  }
  if (matchExpressions === undefined) return true;
  for (const req of matchExpressions) {
    const present = has(labels, req.key);
    const value = labels[req.key];
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!present || value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (present && value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
    }
  }
  return true;
}

/**
 * Checks a selector against the Kubernetes rules: In and NotIn need at least one value, Exists
 * and DoesNotExist take none, and the operator is one of the four. Throws InvalidSelectorError
 * naming the field, what was expected and what came.
 */
export function validateSelector(selector: LabelSelector | undefined): void {
  const expressions = selector?.matchExpressions ?? [];
  expressions.forEach((req, i) => {
    const field = `agentSelector.matchExpressions[${i}]`;
    const operator: string = req.operator;
    const count = req.values?.length ?? 0;
    switch (operator) {
      case 'In':
      case 'NotIn':
        if (count === 0) {
          throw new InvalidSelectorError(
            `${field}.values: expected at least one value for operator ${operator}, got none`,
          );
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (count !== 0) {
          throw new InvalidSelectorError(
            `${field}.values: expected no values for operator ${operator}, got ${count}`,
          );
        }
        break;
      default:
        throw new InvalidSelectorError(
          `${field}.operator: expected In, NotIn, Exists or DoesNotExist, got "${operator}"`,
        );
    }
  });
}
