/**
 * `kubectl replistore status STORE` as text, in the manner of `kubectl cnpg status`: what the spec
 * asks, what the operator reports (phase, conditions, last repair), the pods, and what a node says
 * (member health, hints, conflicts pending). Fits 80 columns: long messages are clipped.
 */
import type { StorePod } from "../../../client/discovery/store-pods.ts";
import { age } from "../../conflicts-view.ts";
import { plainTable } from "../../table.ts";
import type { KubeStore } from "./kube-target.ts";

export interface NodeReport {
  /** the pod that answered */
  pod: string;
  status: Record<string, unknown> | undefined;
  /** pending conflicts as a node counted them; `more`: the page was full */
  conflicts: { pending: number; more: boolean; oldest: string | undefined } | undefined;
  error: string | undefined;
}

export interface StoreSummary {
  namespace: string;
  name: string;
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
  pods: StorePod[];
  node: NodeReport;
}

const WIDTH = 80;

/** One line of at most `width` characters (runs of spaces are kept: tables are aligned with them). */
function clip(text: string, width: number): string {
  const one = text.replace(/[\r\n\t]+/g, " ");
  return one.length <= width ? one : `${one.slice(0, width - 1)}…`;
}

function str(value: unknown, fallback = "-"): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : fallback;
}

function rec(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function summarize(
  namespace: string,
  name: string,
  store: KubeStore,
  pods: StorePod[],
  node: NodeReport,
): StoreSummary {
  return { namespace, name, spec: rec(store.spec), status: rec(store.status), pods, node };
}

/** N/W/R as a node runs them (the spec may leave W and R to their defaults), else as the spec says. */
function replicationText(spec: Record<string, unknown>, node: Record<string, unknown> | undefined): string {
  const running = rec(node?.replication);
  const r = Object.keys(running).length > 0 ? running : rec(spec.replication);
  const parts = [
    `N=${str(r.factor, str(spec.replicas))}`,
    `W=${str(r.writeQuorum)}`,
    `R=${str(r.readQuorum)}`,
  ];
  return `${parts.join(" ")} (${str(r.consistency, "Strong")})`;
}

function field(label: string, value: string): string {
  return clip(`${label.padEnd(16)}${value}`, WIDTH);
}

function sinceText(iso: unknown): string {
  return typeof iso === "string" && iso ? `${age(iso)} ago` : "-";
}

export function renderStoreStatus(s: StoreSummary): string {
  const { spec, status } = s;
  const lines: string[] = [];
  lines.push(field("Store:", `${s.namespace}/${s.name}`));
  const mode = str(spec.mode, "Leaderless");
  const ml = rec(spec.multiLeader);
  lines.push(
    field(
      "Mode:",
      mode === "MultiLeader"
        ? `MultiLeader, ${str(ml.leaders)} leaders, ${str(ml.topology)}`
        : `Leaderless, ${replicationText(spec, s.node.status)}`,
    ),
  );
  lines.push(
    field(
      "Replicas:",
      `${str(spec.replicas)} wanted, ${str(status.readyReplicas, "0")}/${str(status.replicas, "0")} ready`,
    ),
  );
  lines.push(
    field(
      "Phase:",
      `${str(status.phase, "Unknown")} (generation ${str(status.observedGeneration)} observed)`,
    ),
  );
  lines.push(field("Quorum:", str(status.quorum)));
  const counted = s.node.conflicts;
  const policy = str(rec(spec.conflicts).policy, "Review");
  lines.push(
    field(
      "Conflicts:",
      counted
        ? `${counted.pending}${counted.more ? "+" : ""} pending${counted.oldest ? `, oldest ${age(counted.oldest)} ago` : ""} (policy ${policy})`
        : `${str(status.conflictsPending, "?")} pending per the operator (policy ${policy})`,
    ),
  );
  const ae = rec(spec.antiEntropy);
  const last = rec(status.lastAntiEntropy);
  lines.push(
    field(
      "Repair:",
      ae.suspend === true ? `suspended (schedule "${str(ae.schedule)}")` : `schedule "${str(ae.schedule)}"`,
    ),
  );
  lines.push(
    field(
      "Last repair:",
      Object.keys(last).length === 0
        ? "none yet"
        : `${str(last.result, "running")} ${sinceText(last.completionTime ?? last.startTime)}` +
            (last.keysRepaired !== undefined ? `, ${str(last.keysRepaired)} keys repaired` : "") +
            (last.jobName ? ` (${str(last.jobName)})` : ""),
    ),
  );
  if (typeof last.message === "string" && last.message && last.result === "Failed") {
    lines.push(field("", last.message));
  }

  const conditions = Array.isArray(status.conditions) ? status.conditions.map(rec) : [];
  lines.push("", "Conditions:");
  if (conditions.length === 0) lines.push("  none reported yet (is the operator running?)");
  else {
    const table = plainTable(["TYPE", "STATUS", "REASON", "AGE", "MESSAGE"]);
    for (const c of conditions) {
      table.push([
        str(c.type),
        str(c.status),
        clip(str(c.reason), 22),
        sinceText(c.lastTransitionTime).replace(" ago", ""),
        str(c.message, ""),
      ]);
    }
    lines.push(...fitTable(table.toString()));
  }

  const members = Array.isArray(s.node.status?.members) ? s.node.status.members.map(rec) : [];
  const byId = new Map(members.map((m) => [str(m.id), m]));
  lines.push("", "Pods:");
  if (s.pods.length === 0) lines.push("  none");
  else {
    const table = plainTable(["NAME", "READY", "PHASE", "RESTARTS", "IP", "HEALTHY", "HINTS", "AGE"]);
    for (const pod of s.pods) {
      const member = byId.get(pod.name);
      const healthy =
        member === undefined ? "?" : member.self === true || member.healthy === true ? "yes" : "NO";
      table.push([
        pod.name,
        pod.ready ? "true" : "false",
        pod.phase,
        String(pod.restarts),
        pod.ip ?? "-",
        healthy,
        str(member?.hintsPending, "-"),
        pod.startedAt ? age(pod.startedAt) : "-",
      ]);
    }
    lines.push(...fitTable(table.toString()));
  }
  lines.push(
    "",
    s.node.error
      ? clip(`No node answered: ${s.node.error}`, WIDTH)
      : clip(`HEALTHY and HINTS as ${s.node.pod} sees its peers (hints: writes held for it)`, WIDTH),
  );
  return `${lines.join("\n")}\n`;
}

/** The last column gives way so every row fits. */
function fitTable(text: string): string[] {
  return text.split("\n").map((line) => `  ${clip(line.trimEnd(), WIDTH - 2)}`);
}
