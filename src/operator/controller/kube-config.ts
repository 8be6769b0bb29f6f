/** Which cluster the operator talks to: --kubeconfig, else $KUBECONFIG, in-cluster, or ~/.kube/config. */
import { existsSync, readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { UserError } from "../../errors.ts";

const SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

export function loadKubeConfig(path: string | undefined): KubeConfig {
  const config = new KubeConfig();
  if (path !== undefined) {
    if (!existsSync(path)) throw new UserError(`--kubeconfig ${path}: no such file`);
    config.loadFromFile(path);
  } else {
    config.loadFromDefault();
  }
  if (!config.getCurrentCluster()) {
    throw new UserError(
      "no Kubernetes cluster configured: pass --kubeconfig, set KUBECONFIG, or run in a pod with a service account",
    );
  }
  return config;
}

/** The namespace the operator's own pod runs in, when it runs in one. */
export function podNamespace(env: NodeJS.ProcessEnv): string | undefined {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
