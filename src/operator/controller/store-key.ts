/** Work queue keys: "namespace/name", as client-go spells them. */
import type { KubernetesObject } from "@kubernetes/client-node";
import { API_VERSION, KIND } from "../../api/names.ts";

export function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  if (slash < 1) throw new Error(`not a namespace/name key: ${key}`);
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The key of the ReplicatedStore controlling `object`, if one does. */
export function ownerStoreKey(object: KubernetesObject): string | undefined {
  const namespace = object.metadata?.namespace;
  const owner = object.metadata?.ownerReferences?.find(
    (ref) => ref.controller === true && ref.kind === KIND && ref.apiVersion === API_VERSION,
  );
  return owner && namespace ? keyOf(namespace, owner.name) : undefined;
}
