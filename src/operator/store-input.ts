/**
 * The ReplicatedStore as the cache holds it, turned into what builders take: validated with the same
 * schema and rules as `replistore up` (the CRD enforces them too, so failing here means a CRD older
 * than this operator), with N/W/R filled in. Status is set aside: it is the previous status.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import type { ReplicatedStoreStatus } from "../api/status.ts";
import { validateManifest } from "../api/validate.ts";
import type { StoreResource } from "../builders/context.ts";

export type RawStore = KubernetesObject & { spec?: unknown; status?: ReplicatedStoreStatus };

export type ParsedStore =
  | { ok: true; store: StoreResource; previous: ReplicatedStoreStatus | undefined }
  | { ok: false; errors: string[]; previous: ReplicatedStoreStatus | undefined };

export function parseStore(raw: RawStore): ParsedStore {
  const previous = raw.status;
  const metadata = raw.metadata ?? {};
  const result = validateManifest({
    apiVersion: raw.apiVersion,
    kind: raw.kind,
    metadata: { ...metadata },
    spec: raw.spec ?? {},
  });
  if (!result.ok) return { ok: false, errors: result.errors, previous };
  const store = result.manifest as StoreResource;
  if (!store.metadata.namespace || !store.metadata.uid) {
    return { ok: false, errors: ["metadata.namespace and metadata.uid are required"], previous };
  }
  return { ok: true, store, previous };
}
