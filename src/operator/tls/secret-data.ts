/** Reading PEM out of a Secret as the apiserver returns it (base64 `data`). */
import type { KubernetesObject, V1Secret } from "@kubernetes/client-node";

export function secretText(secret: KubernetesObject | undefined, key: string): string | undefined {
  const value = (secret as V1Secret | undefined)?.data?.[key];
  if (value === undefined || value === "") return undefined;
  return Buffer.from(value, "base64").toString("utf8");
}
