/**
 * `kubectl replistore hub STORE [--set N]`: the Star hub of a MultiLeader store, as the spec asks
 * it (spec.multiLeader.hub) and as the operator reports it (status.hub, which differs after a
 * failover); --set moves it by patching the spec (the operator rolls the change out).
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { GROUP, PLURAL, VERSION } from "../../../api/names.ts";
import { UserError } from "../../../errors.ts";
import type { OutputFormat } from "../../options.ts";
import { formatStructured, writeOut } from "../../output.ts";
import { kubeCall } from "./kube-calls.ts";
import type { KubeStore, KubeTarget } from "./kube-target.ts";

export interface HubFlags {
  set?: string;
  output: OutputFormat;
}

export interface HubView {
  namespace: string;
  name: string;
  leaders: number;
  spec: number;
  status: number | undefined;
}

/** The store's Star settings, or a UserError saying why it has no hub. */
export function starOf(store: KubeStore, where: string): { leaders: number; hub: number } {
  const spec = (store.spec ?? {}) as Record<string, unknown>;
  const ml = (spec.multiLeader ?? {}) as Record<string, unknown>;
  if (spec.mode !== "MultiLeader") {
    throw new UserError(
      `store ${where} is ${String(spec.mode ?? "Leaderless")}: only a MultiLeader store with topology Star has a hub`,
    );
  }
  if (ml.topology !== "Star") {
    throw new UserError(
      `store ${where} uses the ${String(ml.topology ?? "?")} topology: only Star has a hub (set spec.multiLeader.topology to Star to have one)`,
    );
  }
  return { leaders: Number(ml.leaders ?? 0), hub: Number(ml.hub ?? 0) };
}

/** --set's value: an ordinal of a leader. */
export function parseHub(text: string, leaders: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n >= leaders) {
    throw new UserError(
      `--set ${text}: the hub must be a leader's ordinal, 0 to ${leaders - 1} (spec.multiLeader.leaders is ${leaders})`,
    );
  }
  return n;
}

export async function hub(target: KubeTarget, flags: HubFlags): Promise<void> {
  const where = `${target.namespace}/${target.name}`;
  const star = starOf(target.store, where);
  const statusHub = typeof target.store.status?.hub === "number" ? target.store.status.hub : undefined;
  const view: HubView = {
    namespace: target.namespace,
    name: target.name,
    leaders: star.leaders,
    spec: star.hub,
    status: statusHub,
  };
  if (flags.set === undefined) {
    if (flags.output !== "text") {
      writeOut(formatStructured(view, flags.output));
      return;
    }
    const pod = (n: number | undefined) =>
      n === undefined ? "not reported yet" : `${n} (${target.name}-${n})`;
    const lines = [
      `Store:        ${where} (Star, ${star.leaders} leaders)`,
      `Hub (spec):   ${pod(star.hub)}`,
      `Hub (status): ${pod(statusHub)}`,
    ];
    if (statusHub !== undefined && statusHub !== star.hub) {
      lines.push(`the hub failed over from ${star.hub} to ${statusHub}: move it back with --set ${star.hub}`);
    }
    writeOut(`${lines.join("\n")}\n`);
    return;
  }
  const next = parseHub(flags.set, star.leaders);
  const custom = target.kc.makeApiClient(CustomObjectsApi);
  await kubeCall({ verb: "patch", resource: PLURAL, namespace: target.namespace }, () =>
    custom.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: target.namespace,
        plural: PLURAL,
        name: target.name,
        body: { spec: { multiLeader: { hub: next } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    ),
  );
  view.spec = next;
  if (flags.output !== "text") writeOut(formatStructured(view, flags.output));
  else
    writeOut(
      `hub of ${where} set to ${next} (${target.name}-${next}), was ${star.hub}\n` +
        `status.hub follows once the operator rolls it out: kubectl replistore hub ${target.name}\n`,
    );
}
