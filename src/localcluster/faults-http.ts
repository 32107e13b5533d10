import type { DelayRule, FailRule, Faults } from './faults.js';
import { isObj } from './object-util.js';
import type { Store } from './store.js';
import { badRequest } from './status.js';

/**
 * Applies a fault request posted to the reserved faults path, for processes that cannot reach
 * the programmatic API. The body names one action:
 * `{"failNext": FailRule}`, `{"delay": DelayRule}`, `{"stallWatches": WatchMatch}`,
 * `{"dropWatches": WatchMatch}`, `{"sendWatchError": {"code": 410, ...WatchMatch}}`,
 * `{"clear": true}` or `{"compact": true}` (forget watch history so old versions get 410).
 * Answers how many watches were affected, where that applies.
 */
export function applyFaultRequest(
  faults: Faults,
  store: Store,
  body: unknown,
): { affected: number } {
  if (!isObj(body)) throw badRequest('fault request: expected a JSON object');
  if (isObj(body.failNext)) {
    faults.failNext(body.failNext as unknown as FailRule);
    return { affected: 0 };
  }
  if (isObj(body.delay)) {
    faults.delay(body.delay as unknown as DelayRule);
    return { affected: 0 };
  }
  if (isObj(body.stallWatches)) return { affected: faults.stallWatches(body.stallWatches) };
  if (isObj(body.dropWatches)) return { affected: faults.dropWatches(body.dropWatches) };
  if (isObj(body.sendWatchError)) {
    const { code, message, ...match } = body.sendWatchError;
    const c = typeof code === 'number' ? code : 410;
    const m = typeof message === 'string' ? message : undefined;
    return { affected: faults.sendWatchError(match, c, m) };
  }
  if (body.clear === true) {
    faults.clear();
    return { affected: 0 };
  }
  if (body.compact === true) {
    store.compact();
    return { affected: 0 };
  }
  throw badRequest(
    'fault request: expected one of failNext, delay, stallWatches, dropWatches, sendWatchError, clear, compact',
  );
}
