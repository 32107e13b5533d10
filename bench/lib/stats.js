// Small statistics helpers shared by the benchmark groups. Pure functions, no I/O.

/** The value at quantile `q` (0..1) of an ascending array; nearest rank, no interpolation. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** p50 and p99 of unsorted samples. */
export function percentiles(samples) {
  const s = Float64Array.from(samples).sort();
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99) };
}

/** Median, min and max of the per-repetition results of one figure. */
export function summarize(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], runs: s.length };
}

/** Turns `times` calls of an async measurement, each giving `{ key: number }`, into arrays per key. */
export async function repeat(times, once) {
  const out = {};
  for (let i = 0; i < times; i++) {
    const r = await once(i);
    for (const [k, v] of Object.entries(r)) (out[k] ??= []).push(v);
  }
  return out;
}

/** A deterministic pseudo-random generator, so that runs compare. */
export function seeded(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

/** Resident set size of this process, in MiB (after a collection when --expose-gc is on). */
export function rssMiB() {
  globalThis.gc?.();
  return process.memoryUsage.rss() / 2 ** 20;
}
