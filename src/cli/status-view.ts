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
  return {
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
}

export function readSelfReport(body: unknown): MemberSelfReport {
  const role = field(body, "node", "role");
  const members = field(body, "members");
  const hintsFor: Record<string, number> = {};
  for (const m of Array.isArray(members) ? members : []) {
    if (isRecord(m) && typeof m.id === "string" && typeof m.hintsPending === "number")
      hintsFor[m.id] = m.hintsPending;
  }
  return { ...(typeof role === "string" ? { role } : {}), hintsFor };
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
  const table = plainTable(["ID", "URL", "ROLE", "HEALTHY", "HINTS", "CLOCK"]);
  for (const member of view.members) {
    const report = reports.get(member.id);
    const healthy = member.self ? "yes" : member.healthy === undefined ? "?" : member.healthy ? "yes" : "NO";
    table.push([
      member.self ? `${member.id}*` : member.id,
      member.url,
      report?.role ?? (report === undefined ? "unreachable" : "?"),
      healthy,
      String(hintsWaitingFor(member.id, reports) ?? "-"),
      member.self ? "-" : offsetText(view.offsets[member.id]),
    ]);
  }
  const rows = table
    .toString()
    .split("\n")
    .map((line) => line.trimEnd());
  const maxOffset = view.maxOffsetMs === undefined ? "" : ` (max ${view.maxOffsetMs}ms)`;
  return [
    `store ${view.store}: ${view.mode}, ${view.replication}, config generation ${view.generation}`,
    ...rows,
    `* answered; HEALTHY and CLOCK${maxOffset} are ${view.nodeId}'s view of its peers`,
    "HINTS: writes that other nodes hold for the member until it is back",
    "",
  ].join("\n");
}
