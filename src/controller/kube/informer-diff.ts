import { objectKey } from './task-shape.js';
import type { KubeObject } from './task-shape.js';

/** One difference between a cache and a fresh list. */
export type SnapshotChange<T> =
  | { type: 'add'; key: string; obj: T }
  | { type: 'update'; key: string; obj: T; old: T }
  | { type: 'delete'; key: string; obj: T };

/**
 * What changed between the cache and a full list: objects new to the cache, objects whose
 * resourceVersion moved, and cached objects the list no longer has. Unchanged objects produce
 * nothing, so a relist after a lost watch replays no work.
 */
export function diffSnapshot<T extends KubeObject>(
  cache: ReadonlyMap<string, T>,
  items: readonly T[],
): SnapshotChange<T>[] {
  const changes: SnapshotChange<T>[] = [];
  const seen = new Set<string>();
  for (const obj of items) {
    const key = objectKey(obj);
    seen.add(key);
    const old = cache.get(key);
    if (old === undefined) changes.push({ type: 'add', key, obj });
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
      changes.push({ type: 'update', key, obj, old });
    }
  }
  for (const [key, obj] of cache) {
    if (!seen.has(key)) changes.push({ type: 'delete', key, obj });
  }
  return changes;
}
