/**
 * `kubectl replistore status -A` (or without a store): one line per store, from what the operator
 * reports in each store's status; no node is asked. `-o json|yaml` gives the stores' specs and
 * statuses.
 */
import { CustomObjectsApi } from "@kubernetes/client-node";
import { GROUP, PLURAL, VERSION } from "../../../api/names.ts";
import { age } from "../../conflicts-view.ts";
import type { OutputFormat } from "../../options.ts";
import { formatStructured, writeOut } from "../../output.ts";
import { plainTable } from "../../table.ts";
import { kubeCall } from "./kube-calls.ts";
import { type KubeFlags, type KubeStore, loadKubeConfigFor } from "./kube-target.ts";

export interface StoreLine {
  namespace: string;
  name: string;
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
  createdAt: string | undefined;
}

const str = (v: unknown, fallback = "-") =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : fallback;

const rec = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Wider lines (long namespaces) lose their end rather than wrap. */
function clip(line: string): string {
  return line.length <= 80 ? line : `${line.slice(0, 79)}…`;
}

export function renderStoreList(stores: readonly StoreLine[], allNamespaces: boolean): string {
  if (stores.length === 0) return "no ReplicatedStores found\n";
  const head = ["NAME", "MODE", "READY", "PHASE", "CONFLICTS", "REPAIR", "AGE"];
  const table = plainTable(allNamespaces ? ["NAMESPACE", ...head] : head);
  for (const s of stores) {
    const last = rec(s.status.lastAntiEntropy);
    const row = [
      s.name,
      str(s.spec.mode, "Leaderless"),
      `${str(s.status.readyReplicas, "0")}/${str(s.spec.replicas)}`,
      str(s.status.phase, "Unknown"),
      str(s.status.conflictsPending, "0"),
      Object.keys(last).length === 0
        ? "none"
        : `${last.result === "Succeeded" ? "ok" : last.result === "Failed" ? "FAILED" : "running"}${typeof last.completionTime === "string" ? ` ${age(last.completionTime)}` : ""}`,
      s.createdAt ? age(s.createdAt) : "-",
    ];
    table.push(allNamespaces ? [s.namespace, ...row] : row);
  }
  return `${table
    .toString()
    .split("\n")
    .map((l) => clip(l.trimEnd()))
    .join("\n")}\n`;
}

export async function statusList(
  flags: KubeFlags & { output: OutputFormat; allNamespaces?: boolean },
): Promise<void> {
  const kc = loadKubeConfigFor(flags);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const all = flags.allNamespaces === true;
  const namespace = flags.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
  const list = (await kubeCall({ verb: "list", resource: PLURAL, ...(all ? {} : { namespace }) }, () =>
    all
      ? custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })
      : custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL }),
  )) as { items?: KubeStore[] };
  const stores: StoreLine[] = (list.items ?? [])
    .map((s) => ({
      namespace: s.metadata?.namespace ?? "",
      name: s.metadata?.name ?? "",
      spec: rec(s.spec),
      status: rec(s.status),
      createdAt: s.metadata?.creationTimestamp
        ? new Date(s.metadata.creationTimestamp).toISOString()
        : undefined,
    }))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  if (flags.output !== "text") {
    writeOut(formatStructured({ items: stores }, flags.output));
    return;
  }
  const text = renderStoreList(stores, all);
  writeOut(stores.length === 0 && !all ? `no ReplicatedStores in namespace ${namespace} (try -A)\n` : text);
}
