/** Quantiles of a Prometheus histogram between two scrapes, as histogram_quantile computes them. */
import type { Sample } from "../support/metrics.ts";

/** Cumulative bucket counts by upper bound, summed over every sample set given. */
export function buckets(scrapes: readonly Sample[][], name: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const samples of scrapes) {
    for (const s of samples) {
      if (s.name !== `${name}_bucket`) continue;
      const le = s.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(s.labels.le);
      out.set(le, (out.get(le) ?? 0) + s.value);
    }
  }
  return out;
}

export function delta(after: Map<number, number>, before: Map<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [le, n] of after) out.set(le, n - (before.get(le) ?? 0));
  return out;
}

/** The q-quantile (0..1) with linear interpolation inside the bucket; undefined with no observations. */
export function quantile(q: number, cumulative: Map<number, number>): number | undefined {
  const bounds = [...cumulative.keys()].sort((a, b) => a - b);
  const total = cumulative.get(Number.POSITIVE_INFINITY) ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const le of bounds) {
    const count = cumulative.get(le) ?? 0;
    if (count >= rank) {
      if (le === Number.POSITIVE_INFINITY) return prevBound;
      const inBucket = count - prevCount;
      return inBucket === 0 ? le : prevBound + ((le - prevBound) * (rank - prevCount)) / inBucket;
    }
    prevBound = le;
    prevCount = count;
  }
  return prevBound;
}
