/**
 * Refuses a mode change on a live store. Leaderless and MultiLeader nodes keep different data
 * (owner sets vs full copies with outboxes and version vectors); switching in place would strand
 * data, so the operator keeps the running mode and says how to change it instead.
 */

import { statefulSetName } from "../../builders/names.ts";
import { MODE_ANNOTATION } from "../../builders/statefulset.ts";
import { STATEFUL_SETS } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import type { Problem } from "../status/store-status.ts";
import { liveObject } from "./apply-owned.ts";

export async function refusedModeChange(scope: ReconcileScope): Promise<Problem | undefined> {
  const { store } = scope;
  const live = await liveObject(scope, STATEFUL_SETS, statefulSetName(store));
  const running = live?.metadata?.annotations?.[MODE_ANNOTATION];
  if (running === undefined || running === store.spec.mode) return undefined;
  return {
    reason: "ModeChangeRefused",
    message:
      `spec.mode cannot change from ${running} to ${store.spec.mode} on a live store (the nodes keep their data ` +
      `differently in each mode): set spec.mode back to ${running}, or create a new ${store.spec.mode} store and ` +
      "copy the data over; nothing else in the spec is applied until then",
  };
}
