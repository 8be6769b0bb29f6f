/** @kubernetes/client-node clients for a test control plane, and the helpers the tests share. */
import { readFile } from "node:fs/promises";
import {
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  loadYaml,
  NetworkingV1Api,
  PolicyV1Api,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { eventually } from "../eventually.ts";

export interface KubeClients {
  config: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  extensions: ApiextensionsV1Api;
  custom: CustomObjectsApi;
  batch: BatchV1Api;
  policy: PolicyV1Api;
  networking: NetworkingV1Api;
  coordination: CoordinationV1Api;
}

export function kubeClients(kubeconfigPath: string): KubeClients {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    extensions: config.makeApiClient(ApiextensionsV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    batch: config.makeApiClient(BatchV1Api),
    policy: config.makeApiClient(PolicyV1Api),
    networking: config.makeApiClient(NetworkingV1Api),
    coordination: config.makeApiClient(CoordinationV1Api),
  };
}

/** What the apiserver said when it refused a request: HTTP code and its Status message. */
export interface RefusedRequest {
  code: number;
  message: string;
  reason: string;
}

/** Runs `request`, expecting the apiserver to refuse it; returns the refusal. */
export async function refusal(request: () => Promise<unknown>): Promise<RefusedRequest> {
  try {
    await request();
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body: unknown = typeof error.body === "string" ? JSON.parse(error.body) : error.body;
    const status = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
    return { code: error.code, message: String(status.message ?? ""), reason: String(status.reason ?? "") };
  }
  throw new Error("the apiserver accepted a request it should have refused");
}

/**
 * Creates the CRD from a YAML file, as `kubectl apply -f` would, and waits until it is Established
 * (its REST endpoints served). loadYaml turns the JSON keys (`x-kubernetes-validations`) into the
 * client's model fields, which the client turns back on the wire.
 */
export async function installCrd(clients: KubeClients, file: string): Promise<V1CustomResourceDefinition> {
  const body = loadYaml<V1CustomResourceDefinition>(await readFile(file, "utf8"));
  const name = body.metadata?.name ?? "";
  await clients.extensions.createCustomResourceDefinition({ body });
  return eventually(
    async () => {
      const crd = await clients.extensions.readCustomResourceDefinition({ name });
      const established = crd.status?.conditions?.find((c) => c.type === "Established");
      if (established?.status !== "True") throw new Error(`${name} is not Established yet`);
      return crd;
    },
    { timeoutMs: 30_000, what: `CRD ${name} Established` },
  );
}

/** A fresh namespace per test, so tests in one file cannot see each other's objects. */
export async function createNamespace(clients: KubeClients, prefix: string): Promise<string> {
  const namespace = await clients.core.createNamespace({
    body: { metadata: { generateName: `${prefix}-` } },
  });
  return namespace.metadata?.name ?? "";
}
