/**
 * The events one reconcile records: what it wrote, and each condition change worth a person's
 * attention. Both only happen when something changed, so a steady store records nothing.
 */

import type { ReplicatedStoreSpec } from "../../api/replicated-store.ts";
import { MANIFEST_WARNINGS } from "../../api/rules.ts";
import type { EventType } from "../controller/event-recorder.ts";
import type { Written } from "../scope.ts";
import type { Transition } from "./conditions.ts";

export interface PlannedEvent {
  type: EventType;
  reason: string;
  message: string;
}

function describe(written: readonly Written[]): string {
  return written.map((w) => `${w.kind} ${w.name}`).join(", ");
}

export function writeEvents(written: readonly Written[]): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  const created = written.filter((w) => w.verb === "created");
  const updated = written.filter((w) => w.verb === "updated");
  const deleted = written.filter((w) => w.verb === "deleted");
  if (created.length > 0)
    events.push({ type: "Normal", reason: "Created", message: `created ${describe(created)}` });
  if (updated.length > 0)
    events.push({ type: "Normal", reason: "Updated", message: `updated ${describe(updated)}` });
  if (deleted.length > 0)
    events.push({ type: "Normal", reason: "Deleted", message: `deleted ${describe(deleted)}` });
  return events;
}

export function transitionEvents(transitions: readonly Transition[]): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  for (const { type, from, to } of transitions) {
    if (type === "Ready" && to.status === "True") {
      events.push({ type: "Normal", reason: "Ready", message: to.message });
    } else if (type === "Ready" && from === "True") {
      events.push({ type: "Warning", reason: "NotReady", message: `${to.reason}: ${to.message}` });
    } else if (type === "Degraded" && to.status === "True") {
      events.push({ type: "Warning", reason: to.reason, message: to.message });
    } else if (type === "Degraded" && from === "True") {
      events.push({ type: "Normal", reason: "Recovered", message: "no longer degraded" });
    } else if (type === "QuorumAvailable" && to.reason === "QuorumLost") {
      events.push({ type: "Warning", reason: "QuorumLost", message: to.message });
    } else if (type === "QuorumAvailable" && to.status === "True" && from === "False") {
      events.push({ type: "Normal", reason: "QuorumAvailable", message: to.message });
    } else if (type === "Progressing" && to.reason === "Draining") {
      events.push({ type: "Normal", reason: "Draining", message: to.message });
    } else if (type === "ConflictsPending" && to.status === "True") {
      events.push({ type: "Warning", reason: "ConflictsPending", message: to.message });
    } else if (type === "ConflictsPending" && to.status === "False" && from === "True") {
      events.push({ type: "Normal", reason: "ConflictsResolved", message: to.message });
    } else if (type === "AntiEntropyHealthy" && to.status === "False") {
      events.push({ type: "Warning", reason: to.reason, message: to.message });
    } else if (type === "AntiEntropyHealthy" && to.status === "True" && from === "False") {
      events.push({ type: "Normal", reason: "AntiEntropyHealthy", message: to.message });
    } else if (type === "TLS" && to.status !== "True") {
      // TLSDisabled, TLSSecretInvalid, TLSCertificatePending, ...: once per change of reason.
      events.push({ type: "Warning", reason: `TLS${to.reason}`, message: to.message });
    } else if (type === "TLS" && from !== undefined && from !== "True") {
      events.push({ type: "Normal", reason: "TLSReady", message: to.message });
    }
  }
  return events;
}

/** Warnings about an accepted spec, once per generation that has them. */
export function specWarningEvents(spec: ReplicatedStoreSpec, generationChanged: boolean): PlannedEvent[] {
  if (!generationChanged) return [];
  return MANIFEST_WARNINGS.filter((w) => w.applies(spec)).map((w) => ({
    type: "Warning" as const,
    reason: "WeakQuorums",
    message: w.explain(spec),
  }));
}
