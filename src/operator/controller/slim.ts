/**
 * Drops metadata.managedFields from an object the operator keeps in memory. Server-side apply
 * bookkeeping is often the largest part of an object, the operator never reads it, and with hundreds
 * of stores it would dominate the caches (client-go controllers strip it the same way).
 */
import type { KubernetesObject } from "@kubernetes/client-node";

export function slim<T extends KubernetesObject | undefined>(object: T): T {
  if (object?.metadata?.managedFields) delete object.metadata.managedFields;
  return object;
}
