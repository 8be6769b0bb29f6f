/** A validated store as the operator would see it from the apiserver, and a build context. */
import { validateManifest } from "../../../src/api/validate.ts";
import type { BuildContext, StoreResource } from "../../../src/builders/context.ts";

export const UID = "0b5f7c2e-1111-4222-8333-944445555666";

export function store(
  spec: Record<string, unknown> = {},
  name = "orders",
  namespace = "shop",
): StoreResource {
  const result = validateManifest({
    apiVersion: "replistore.io/v1alpha1",
    kind: "ReplicatedStore",
    metadata: { name },
    spec,
  });
  if (!result.ok) throw new Error(result.errors.join("; "));
  const { manifest } = result;
  return { ...manifest, metadata: { ...manifest.metadata, namespace, uid: UID, generation: 4 } };
}

export function context(overrides: Partial<BuildContext> = {}): BuildContext {
  return {
    image: "replistore:test",
    operatorNamespace: "replistore-system",
    configGeneration: 4,
    ...overrides,
  };
}
