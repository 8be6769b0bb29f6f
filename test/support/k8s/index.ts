export { type K8sBinaries, k8sBinaries, requireK8sBinaries } from "./binaries.ts";
export {
  createNamespace,
  installCrd,
  type KubeClients,
  kubeClients,
  type RefusedRequest,
  refusal,
} from "./client.ts";
export { type ControlPlane, type ControlPlaneOptions, startControlPlane } from "./control-plane.ts";
export { writeMonitoringCrds } from "./monitoring-crds.ts";
export { playKubelet, setPodReady } from "./pods.ts";
export { type ClientTls, type HttpAnswer, httpGet } from "./readiness.ts";
