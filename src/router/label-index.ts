import type { LabelSelector } from './types.js';

/**
 * An index from label key and value to the items carrying them, so a selector that names a
 * label (matchLabels, In, Exists) can start from the few agents that have it instead of the
 * whole heap. NotIn and DoesNotExist cannot narrow anything and are checked on each candidate.
 */
export class LabelIndex<T> {
  private readonly byValue = new Map<string, Map<string, Set<T>>>();
  private readonly byKey = new Map<string, Set<T>>();

  add(item: T, labels: Readonly<Record<string, string>>): void {
    for (const [key, value] of Object.entries(labels)) {
      let values = this.byValue.get(key);
      if (values === undefined) {
        values = new Map();
        this.byValue.set(key, values);
      }
      addTo(values, value, item);
      addTo(this.byKey, key, item);
    }
  }

  delete(item: T, labels: Readonly<Record<string, string>>): void {
    for (const [key, value] of Object.entries(labels)) {
      const values = this.byValue.get(key);
      if (values !== undefined) {
        deleteFrom(values, value, item);
        if (values.size === 0) this.byValue.delete(key);
      }
      deleteFrom(this.byKey, key, item);
    }
  }

  /**
   * The smallest list of sets whose union holds every item the selector can match, or
   * undefined when the selector names no label it can narrow on. `count` is the sum of the set
   * sizes (an item may appear in more than one set only for In with repeated values).
   */
  candidates(selector: LabelSelector): { sets: Set<T>[]; count: number } | undefined {
    let best: { sets: Set<T>[]; count: number } | undefined;
    const consider = (sets: Set<T>[]): void => {
      const count = sets.reduce((n, s) => n + s.size, 0);
      if (best === undefined || count < best.count) best = { sets, count };
    };
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
      consider(this.lookup(key, value));
    }
    for (const req of selector.matchExpressions ?? []) {
      if (req.operator === 'In') {
        consider([...new Set(req.values ?? [])].flatMap((v) => this.lookup(req.key, v)));
      } else if (req.operator === 'Exists') {
        const set = this.byKey.get(req.key);
        consider(set === undefined ? [] : [set]);
      }
    }
    return best;
  }

  private lookup(key: string, value: string): Set<T>[] {
    const set = this.byValue.get(key)?.get(value);
    return set === undefined ? [] : [set];
  }
}

function addTo<T>(map: Map<string, Set<T>>, key: string, item: T): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(item);
}

function deleteFrom<T>(map: Map<string, Set<T>>, key: string, item: T): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(item);
  if (set.size === 0) map.delete(key);
}
