/**
 * Schema building blocks that stay valid as a Kubernetes structural schema: every node has a
 * `type`, no `anyOf`/`const`, maps use `additionalProperties: {schema}`, free-form Kubernetes
 * objects use `x-kubernetes-preserve-unknown-fields`.
 */
import Type, { type TEnum, type TSchemaOptions } from "typebox";
import { DURATION_PATTERN } from "./duration.ts";
import { QUANTITY_PATTERN } from "./quantity.ts";

/** A DNS-1035 label: valid as a Service, StatefulSet and pod name prefix. */
export const DNS_LABEL_PATTERN = "^[a-z]([-a-z0-9]*[a-z0-9])?$";
/** A DNS-1123 subdomain, as Kubernetes requires for Secret names. */
export const DNS_SUBDOMAIN_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/** Five cron fields or a @macro; the CronJob controller does the exact parse. */
export const CRON_PATTERN = "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|\\S+(\\s+\\S+){4})$";

/** `Type.Enum` emits no `type`, which a structural schema requires. */
export function StringEnum<const T extends string[]>(
  values: readonly [...T],
  options: TSchemaOptions,
): TEnum<T> {
  return Type.Enum<T>(values, { type: "string", ...options });
}

/** The CRD needs a maxLength to bound the CEL cost of rules that match these strings. */
const SHORT = 32;

export function Duration(description: string, defaultValue: string) {
  return Type.String({ pattern: DURATION_PATTERN, maxLength: SHORT, default: defaultValue, description });
}

export function Quantity(description: string, defaultValue: string) {
  return Type.String({ pattern: QUANTITY_PATTERN, maxLength: SHORT, default: defaultValue, description });
}

/** A Kubernetes object kept verbatim (affinity, resources, ...): the kubelet validates it, not us. */
export function KubernetesObject(description: string) {
  return Type.Unsafe<Record<string, unknown>>({
    type: "object",
    "x-kubernetes-preserve-unknown-fields": true,
    description,
  });
}

export function StringMap(description: string) {
  return Type.Unsafe<Record<string, string>>({
    type: "object",
    additionalProperties: { type: "string" },
    description,
  });
}
