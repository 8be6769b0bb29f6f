/**
 * `replistore status` as text: a header about the store and a compact member table that fits
 * 80 columns. Shapes are read defensively: a newer node may add or rename fields.
 */
import { plainTable } from "./table.ts";

export interface MemberView {
  id: string;
  url: string;
  self: boolean;
  healthy: boolean | undefined;
}

export interface StatusView {
  nodeId: string;
  mode: string;
  store: string;
  generation: string;
  replication: string;
  members: MemberView[];
  offsets: Record<string, number>;
  maxOffsetMs: number | undefined;
  /** MultiLeader: "AllToAll", or "Star (hub orders-1)". */
  topology?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return current;
}

const text = (value: unknown, fallback = "?") =>
  typeof value === "string" || typeof value === "number" ? String(value) : fallback;

export function readStatus(body: unknown): StatusView {
  const store = field(body, "store");
  const members = field(body, "members");
  const peers = field(body, "clock", "peers");
  const rep = field(body, "replication");
  const ml = field(body, "multiLeader");
  const hub = field(ml, "hub");
  return {
    ...(isRecord(ml)
      ? { topology: `${text(ml.topology)}${typeof hub === "string" ? ` (hub ${hub})` : ""}` }
      : {}),
    nodeId: text(field(body, "node", "id")),
    mode: text(field(body, "node", "mode")),
    store: isRecord(store) ? text(store.name) : text(store),
    generation: text(field(body, "generation")),
    replication: `N=${text(field(rep, "factor"))} W=${text(field(rep, "writeQuorum"))} R=${text(field(rep, "readQuorum"))}`,
    members: (Array.isArray(members) ? members : []).filter(isRecord).map((m) => ({
      id: text(m.id),
      url: text(m.url, ""),
      self: m.self === true,
      healthy: typeof m.healthy === "boolean" ? m.healthy : undefined,
    })),
    offsets: isRecord(peers)
      ? Object.fromEntries(
          Object.entries(peers).filter((e): e is [string, number] => typeof e[1] === "number"),
        )
      : {},
    maxOffsetMs:
      typeof field(body, "clock", "maxOffsetMs") === "number"
        ? Number(field(body, "clock", "maxOffsetMs"))
        : undefined,
  };
}

/** What each member says about itself, when it answered. */
export interface MemberSelfReport {
  role?: string;
  /** Hints this node holds for each peer, by peer id. */
  hintsFor: Record<string, number>;
  /** MultiLeader: updates this node has that the peers it sends to have not acknowledged. */
  lagUpdates?: number;
}

export function readSelfReport(body: unknown): MemberSelfReport {
  const role = field(body, "node", "role");
  const members = field(body, "members");
  const hintsFor: Record<string, number> = {};
  for (const m of Array.isArray(members) ? members : []) {
    if (isRecord(m) && typeof m.id === "string" && typeof m.hintsPending === "number")
      hintsFor[m.id] = m.hintsPending;
  }
  const links = field(body, "multiLeader", "sendsTo");
  const lag = Array.isArray(links)
    ? links.filter(isRecord).reduce((n, l) => n + (typeof l.updates === "number" ? l.updates : 0), 0)
    : undefined;
  return {
    ...(typeof role === "string" ? { role } : {}),
    hintsFor,
    ...(lag !== undefined ? { lagUpdates: lag } : {}),
  };
}

/** Writes waiting for `id` across every node that answered; undefined if none reports it. */
function hintsWaitingFor(
  id: string,
  reports: ReadonlyMap<string, MemberSelfReport | undefined>,
): number | undefined {
  let total: number | undefined;
  for (const report of reports.values()) {
    const n = report?.hintsFor[id];
    if (n !== undefined) total = (total ?? 0) + n;
  }
  return total;
}

function offsetText(ms: number | undefined): string {
  if (ms === undefined) return "-";
  return `${ms > 0 ? "+" : ""}${Math.round(ms)}ms`;
}

export function renderStatus(
  view: StatusView,
  reports: ReadonlyMap<string, MemberSelfReport | undefined>,
): string {
  // Multi-leader nodes keep no hints: their outboxes hold what a peer misses, shown as LAG.
  const multiLeader = view.topology !== undefined;
  const table = plainTable(["ID", "URL", "ROLE", "HEALTHY", multiLeader ? "LAG" : "HINTS", "CLOCK"]);
  for (const member of view.members) {
    const report = reports.get(member.id);
    const healthy = member.self ? "yes" : member.healthy === undefined ? "?" : member.healthy ? "yes" : "NO";
    table.push([
      member.self ? `${member.id}*` : member.id,
      member.url,
      report?.role ?? (report === undefined ? "unreachable" : "?"),
      healthy,
      String((multiLeader ? report?.lagUpdates : hintsWaitingFor(member.id, reports)) ?? "-"),
      member.self ? "-" : offsetText(view.offsets[member.id]),
    ]);
  }
  const rows = table
    .toString()
    .split("\n")
    .map((line) => line.trimEnd());
  const maxOffset = view.maxOffsetMs === undefined ? "" : ` (max ${view.maxOffsetMs}ms)`;
  return [
    `store ${view.store}: ${view.mode}${multiLeader ? ` ${view.topology}` : ""}, ${view.replication}, config generation ${view.generation}`,
    ...rows,
    `* answered; HEALTHY and CLOCK${maxOffset} are ${view.nodeId}'s view of its peers`,
    multiLeader
      ? "LAG: updates the member has that the peers it sends to have not acknowledged"
      : "HINTS: writes that other nodes hold for the member until it is back",
    "",
  ].join("\n");
}
