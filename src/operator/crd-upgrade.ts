/**
 * Bringing the cluster's CRDs (ReplicatedStore, ReplicatedStoreBackup) up to the ones this build generates, for `helm upgrade`
 * (whose crds/ folder is installed once and then ignored) and for plain-manifest installs. Applied
 * server-side under its own field manager, so fields others added stay. A CRD already made by a
 * newer replistore is left alone: rolling a release back must not take fields away from stores
 * that use them (the apiserver would prune them on the next write).
 */
import {
  ApiextensionsV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { allCrds, type CustomResourceDefinition } from "../api/crd.ts";
import { UserError } from "../errors.ts";
import { apiErrorMessage, isNotFound } from "./controller/api-errors.ts";

export const CRD_FIELD_MANAGER = "replistore-crd";
/** The replistore version that last applied the CRD. */
export const CRD_VERSION_ANNOTATION = "replistore.io/version";

export type CrdOutcome = "created" | "updated" | "unchanged" | "kept-newer";

export interface CrdUpgradeResult {
  name: string;
  outcome: CrdOutcome;
  /** The version the cluster's CRD was applied by before, if any. */
  previous?: string;
  version: string;
}

/** -1, 0 or 1 for dotted numeric versions (a pre-release suffix is ignored). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .split("-")[0]
      ?.split(".")
      .map((p) => Number(p) || 0) ?? [];
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** A CRD as this version applies it: stamped with the version. */
export function desiredCrd(version: string, generated: CustomResourceDefinition): V1CustomResourceDefinition {
  const crd = generated as unknown as V1CustomResourceDefinition;
  return {
    ...crd,
    metadata: {
      ...crd.metadata,
      annotations: { ...crd.metadata?.annotations, [CRD_VERSION_ANNOTATION]: version },
    },
  };
}

export interface CrdUpgradeOptions {
  version: string;
  timeoutMs: number;
  progress: (line: string) => void;
  /** Apply even over a CRD from a newer version. */
  force?: boolean;
  /** The server-side apply field manager (default CRD_FIELD_MANAGER). */
  fieldManager?: string;
}

/** Every CRD of this build, one after the other (each decides on its own whether it is kept). */
export async function upgradeCrds(
  config: KubeConfig,
  options: CrdUpgradeOptions,
): Promise<CrdUpgradeResult[]> {
  const results: CrdUpgradeResult[] = [];
  for (const crd of allCrds()) results.push(await upgradeCrd(config, options, crd));
  return results;
}

export async function upgradeCrd(
  config: KubeConfig,
  options: CrdUpgradeOptions,
  generated: CustomResourceDefinition,
): Promise<CrdUpgradeResult> {
  const crdName = generated.metadata.name;
  const extensions = config.makeApiClient(ApiextensionsV1Api);
  const live = await readCrd(extensions, crdName);
  const previous = live?.metadata?.annotations?.[CRD_VERSION_ANNOTATION];
  const base = { name: crdName, version: options.version, ...(previous ? { previous } : {}) };
  if (previous && compareVersions(previous, options.version) > 0 && !options.force) {
    options.progress(
      `${crdName}: kept, it was applied by replistore ${previous}, newer than ${options.version}`,
    );
    return { ...base, outcome: "kept-newer" };
  }
  const desired = desiredCrd(options.version, generated);
  options.progress(`${crdName}: applying the schema of replistore ${options.version}`);
  let stored: V1CustomResourceDefinition;
  try {
    // Not KubernetesObjectApi.patch: it encodes the body through the client's model of a CRD, whose
    // schema fields are named `_default` and `xKubernetesValidations`, so every `default` and CEL
    // rule of ours was silently dropped. This call sends the body as it is.
    stored = await extensions.patchCustomResourceDefinition(
      {
        name: crdName,
        body: desired,
        fieldManager: options.fieldManager ?? CRD_FIELD_MANAGER,
        force: true,
      },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    );
  } catch (err) {
    throw new UserError(`cannot apply ${crdName}: ${apiErrorMessage(err)}`);
  }
  const changed = live?.metadata?.resourceVersion !== stored.metadata?.resourceVersion;
  await waitEstablished(extensions, crdName, options);
  const outcome: CrdOutcome = live ? (changed ? "updated" : "unchanged") : "created";
  options.progress(`${crdName}: ${outcome}, established`);
  return { ...base, outcome };
}

async function readCrd(
  api: ApiextensionsV1Api,
  crdName: string,
): Promise<V1CustomResourceDefinition | undefined> {
  try {
    return await api.readCustomResourceDefinition({ name: crdName });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new UserError(`cannot read ${crdName}: ${apiErrorMessage(err)}`);
  }
}

/** Established: the apiserver serves the new schema (a store applied right after is checked by it). */
async function waitEstablished(
  api: ApiextensionsV1Api,
  crdName: string,
  options: CrdUpgradeOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const crd = await readCrd(api, crdName);
    const established = crd?.status?.conditions?.find((c) => c.type === "Established");
    if (established?.status === "True") return;
    if (Date.now() > deadline) {
      throw new UserError(
        `${crdName} is not Established after ${Math.round(options.timeoutMs / 1000)}s: see kubectl describe crd ${crdName}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
