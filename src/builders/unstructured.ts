/** Objects of kinds the client has no model for (the Prometheus Operator's), as plain JSON. */
import type { KubernetesObject, V1ObjectMeta } from "@kubernetes/client-node";

export interface UnstructuredObject extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta;
  spec: Record<string, unknown>;
}

export const MONITORING_API_VERSION = "monitoring.coreos.com/v1";
