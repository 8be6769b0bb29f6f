/**
 * Server-side apply with one field manager, writing only when the desired object changed.
 *
 * Each applied object carries a hash of what was applied (APPLIED_HASH_ANNOTATION). When the live
 * object (from the informer cache, or a remembered read) has the same hash, nothing is sent: a
 * resync of an unchanged store costs no request at all. The trade-off: a field someone else edits
 * by hand is not put back until the desired object next changes (or the annotation is removed).
 */
import {
  type KubernetesObject,
  type KubernetesObjectApi,
  PatchStrategy,
  type V1ObjectMeta,
} from "@kubernetes/client-node";
import { contentHash } from "../../builders/hash.ts";
import { isConflict, isNotFound } from "./api-errors.ts";
import { type ApiStats, countRead, countWrite } from "./api-stats.ts";

export const FIELD_MANAGER = "replistore-operator";
export const APPLIED_HASH_ANNOTATION = "replistore.io/applied-hash";

export type ApplyOutcome = "created" | "updated" | "unchanged";

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export function refOf(object: KubernetesObject): ObjectRef {
  return {
    apiVersion: object.apiVersion ?? "",
    kind: object.kind ?? "",
    namespace: object.metadata?.namespace ?? "",
    name: object.metadata?.name ?? "",
  };
}

/** The desired object with its hash annotation; the hash covers everything else. */
export function stamped<T extends KubernetesObject>(desired: T): { object: T; hash: string } {
  const hash = contentHash(desired);
  const metadata: V1ObjectMeta = {
    ...desired.metadata,
    annotations: { ...desired.metadata?.annotations, [APPLIED_HASH_ANNOTATION]: hash },
  };
  return { object: { ...desired, metadata }, hash };
}

export function appliedHashOf(object: KubernetesObject | undefined): string | undefined {
  return object?.metadata?.annotations?.[APPLIED_HASH_ANNOTATION];
}

export class Applier {
  private readonly api: KubernetesObjectApi;
  private readonly stats: ApiStats;

  constructor(api: KubernetesObjectApi, stats: ApiStats) {
    this.api = api;
    this.stats = stats;
  }

  /** `live` is what the cache holds (undefined: absent). Returns the object the apiserver stored, if it wrote. */
  async apply<T extends KubernetesObject>(
    desired: T,
    live: KubernetesObject | undefined,
  ): Promise<{ outcome: ApplyOutcome; stored?: T }> {
    const { object, hash } = stamped(desired);
    if (live && appliedHashOf(live) === hash) return { outcome: "unchanged" };
    const stored = await this.api.patch(
      object,
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
    countWrite(this.stats, "apply", desired.kind ?? "");
    return { outcome: live ? "updated" : "created", stored };
  }

  /** Creates `object` unless it exists; never overwrites (a Secret's token must not change). */
  async createIfAbsent<T extends KubernetesObject>(object: T): Promise<"created" | "exists"> {
    try {
      await this.api.create(object, undefined, undefined, FIELD_MANAGER);
      countWrite(this.stats, "create", object.kind ?? "");
      return "created";
    } catch (error) {
      if (isConflict(error)) return "exists";
      throw error;
    }
  }

  async read<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    countRead(this.stats);
    try {
      return await this.api.read<T>({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace },
      });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Deletes the object; false when it was already gone. */
  async delete(ref: ObjectRef): Promise<boolean> {
    try {
      await this.api.delete({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace },
      });
      countWrite(this.stats, "delete", ref.kind);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}
