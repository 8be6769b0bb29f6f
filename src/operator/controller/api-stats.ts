/** Requests the operator made itself (not its informers' lists and watches), for tests and metrics. */
export interface ApiStats {
  reads: number;
  writes: number;
  /** writes by "verb kind", e.g. "apply StatefulSet" */
  byVerb: Record<string, number>;
  /** Told about each write and read (the metrics count them). */
  onWrite?: (verb: string, kind: string) => void;
  onRead?: () => void;
}

export function countRead(stats: ApiStats): void {
  stats.reads++;
  stats.onRead?.();
}

export function newApiStats(): ApiStats {
  return { reads: 0, writes: 0, byVerb: {} };
}

export function countWrite(stats: ApiStats, verb: string, kind: string): void {
  stats.writes++;
  const key = `${verb} ${kind}`;
  stats.byVerb[key] = (stats.byVerb[key] ?? 0) + 1;
  stats.onWrite?.(verb, kind);
}
