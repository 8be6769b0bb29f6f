/**
 * Whether a backup made without some nodes still holds every acknowledged write. Leaderless: a
 * write is acknowledged once W owners stored it, so fewer than W missing nodes cannot miss one.
 * MultiLeader: a leader acknowledges writes that reach the others later, so every leader must answer
 * (followers only copy).
 */
export interface Coverage {
  mode: "Leaderless" | "MultiLeader";
  writeQuorum: number;
  members: readonly string[];
  /** MultiLeader's leaders; unknown: every member counts as one */
  leaders?: readonly string[];
}

/** Why the backup would be incomplete without `unreached`, or undefined when it would not. */
export function coverageProblem(c: Coverage, unreached: readonly string[]): string | undefined {
  if (unreached.length === 0) return undefined;
  if (unreached.length === c.members.length) return "no node of the store answered";
  if (c.mode === "Leaderless") {
    if (unreached.length < c.writeQuorum) return undefined;
    return `${unreached.join(", ")} did not answer: with W=${c.writeQuorum}, ${unreached.length} missing nodes may hold a write no other node has`;
  }
  const leaders = c.leaders ?? c.members;
  const missing = unreached.filter((id) => leaders.includes(id));
  if (missing.length === 0) return undefined;
  return `leader ${missing.join(", ")} did not answer: a leader may hold writes the others have not received yet`;
}
