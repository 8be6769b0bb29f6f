/**
 * Who sends updates to whom, as a pure function of the config and of which peers this node
 * considers available (up, or down for less than multiLeader.failoverAfter). Every node computes
 * it for itself; two nodes that briefly disagree (say, about the hub) only send an update twice,
 * and receivers drop the second copy.
 */
export type Topology = "Circle" | "Star" | "AllToAll";

export interface TopologyInput {
  /** Member ids in ordinal order. */
  members: readonly string[];
  leaders: number;
  topology: Topology;
  /** Ordinal of the configured hub (Star). */
  hub: number;
  /** Circle: the ring as configured (leader ids in order); default every leader by ordinal. */
  ring?: readonly string[];
  self: string;
  available(id: string): boolean;
}

/** A stream from this node to `peer`. ownOnly: send only updates this node originated. */
export interface Link {
  peer: string;
  ownOnly: boolean;
}

export interface TopologyView {
  role: "leader" | "follower";
  leaders: string[];
  /** Star: the hub this node relays through (itself when it is the hub). */
  hub?: string;
  links: Link[];
}

export function leaderIds(members: readonly string[], leaders: number): string[] {
  return members.slice(0, Math.min(leaders, members.length));
}

/**
 * The leader that feeds follower `f`: followers are spread over the leaders by ordinal, and one
 * whose leader is unavailable moves to the next available one.
 */
export function feederOf(input: TopologyInput, f: string): string | undefined {
  const leaders = leaderIds(input.members, input.leaders);
  if (leaders.length === 0) return undefined;
  const start = (input.members.indexOf(f) - leaders.length) % leaders.length;
  for (let k = 0; k < leaders.length; k++) {
    const cand = leaders[(start + k) % leaders.length]!;
    if (cand === input.self || input.available(cand)) return cand;
  }
  return leaders[start];
}

/** Star: the configured hub while it is available, else the lowest available leader. */
export function hubOf(input: TopologyInput): string | undefined {
  const leaders = leaderIds(input.members, input.leaders);
  const ok = (id: string) => id === input.self || input.available(id);
  const configured = leaders[input.hub];
  if (configured && ok(configured)) return configured;
  return leaders.find(ok) ?? configured;
}

export function topologyView(input: TopologyInput): TopologyView {
  const leaders = leaderIds(input.members, input.leaders);
  const followers = input.members.slice(leaders.length);
  const selfIndex = leaders.indexOf(input.self);
  const hub = input.topology === "Star" ? hubOf(input) : undefined;
  const view = (links: Link[]): TopologyView => ({
    role: selfIndex >= 0 ? "leader" : "follower",
    leaders,
    ...(hub ? { hub } : {}),
    links,
  });

  if (selfIndex < 0) {
    // A follower originates nothing, except what it accepted while it was still a leader: that
    // goes to its feeder, so shrinking the leader set loses no update.
    const feeder = feederOf(input, input.self);
    return view(feeder ? [{ peer: feeder, ownOnly: true }] : []);
  }

  const links: Link[] = [];
  const others = leaders.filter((id) => id !== input.self);
  if (input.topology === "AllToAll") {
    for (const id of others) links.push({ peer: id, ownOnly: true });
  } else if (input.topology === "Circle") {
    const next = successor(input, leaders);
    if (next) links.push({ peer: next, ownOnly: false });
  } else if (hub === input.self) {
    for (const id of others) links.push({ peer: id, ownOnly: false });
  } else if (hub) {
    links.push({ peer: hub, ownOnly: false });
  }
  for (const f of followers) {
    if (feederOf(input, f) === input.self) links.push({ peer: f, ownOnly: false });
  }
  return view(links);
}

/**
 * Circle: the next available leader after this one in the ring. A leader the configured ring
 * leaves out (the operator took it out while it was failing) sends into the ring at its first
 * available member, so its own writes still go round; nobody sends to it until it is back in.
 */
function successor(input: TopologyInput, leaders: readonly string[]): string | undefined {
  const configured = input.ring?.filter((id) => leaders.includes(id));
  const ring = configured && configured.length > 0 ? configured : leaders;
  const at = ring.indexOf(input.self);
  // In the ring: the members after this one, wrapping. Outside it: the ring from its start.
  const order = at < 0 ? ring : [...ring.slice(at + 1), ...ring.slice(0, at)];
  return order.find((id) => id !== input.self && input.available(id));
}
