/** Manifest builders shared by the api tests. */
export const API = { apiVersion: "replistore.io/v1alpha1", kind: "ReplicatedStore" } as const;

export function manifest(spec: Record<string, unknown> = {}, name = "orders"): Record<string, unknown> {
  return { ...API, metadata: { name }, spec };
}
