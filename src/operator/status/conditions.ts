/**
 * Status conditions in the shape of metav1.Condition. lastTransitionTime only moves when a
 * condition's status changes, so `kubectl describe` says how long the store has been in its state
 * and an unchanged status compares equal (and is not written again).
 */
import type { Condition } from "../../api/status.ts";

export type ConditionType =
  | "Ready"
  | "Progressing"
  | "Degraded"
  | "QuorumAvailable"
  | "ConflictsPending"
  | "AntiEntropyHealthy"
  | "TLS";
export type ConditionStatus = "True" | "False" | "Unknown";

export interface ConditionInput {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
}

export interface Transition {
  type: string;
  from: ConditionStatus | undefined;
  to: ConditionInput;
}

/** Kubernetes writes times to the second. */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function mergeConditions(
  previous: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
  observedGeneration: number,
  now: Date,
): Condition[] {
  return next.map((input) => {
    const before = previous?.find((c) => c.type === input.type);
    const lastTransitionTime =
      before && before.status === input.status ? before.lastTransitionTime : kubeTime(now);
    return { ...input, observedGeneration, lastTransitionTime };
  });
}

/** Conditions whose status or reason changed: what deserves an event. */
export function transitions(
  previous: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
): Transition[] {
  const out: Transition[] = [];
  for (const input of next) {
    const before = previous?.find((c) => c.type === input.type);
    if (before?.status !== input.status || before?.reason !== input.reason) {
      out.push({ type: input.type, from: before?.status, to: input });
    }
  }
  return out;
}

export function conditionOf(
  conditions: readonly Condition[] | undefined,
  type: ConditionType,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
