/**
 * The stores of the operator's review page: every ReplicatedStore in its cache (the namespaces it
 * watches), each reached through its node pods (store-pods.ts). Pods are listed when the page asks,
 * and kept for a few seconds, so an idle page costs the apiserver nothing and a busy one one list
 * per store.
 */
import { CoreV1Api, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { type Auth, secretFor } from "../../api/auth-types.ts";
import type { ReplicatedStoreStatus } from "../../api/status.ts";
import type { NodeEndpoint } from "../endpoint.ts";
import type { DirectoryStore, StoreDirectory } from "./directory.ts";
import {
  listStorePods,
  type PodRoute,
  podEndpoints,
  readStoreCa,
  type StorePod,
  storeUsesTls,
} from "./store-pods.ts";

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

type RawStore = KubernetesObject & {
  spec?: { mode?: string; auth?: Auth; tls?: { mode?: string } };
  status?: ReplicatedStoreStatus;
};

export interface KubeDirectoryOptions {
  kubeConfig: KubeConfig;
  /** the stores, from the operator's informer cache */
  listStores: () => readonly KubernetesObject[];
  route: PodRoute;
  podCacheMs?: number;
}

export function storeId(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function kubeDirectory(options: KubeDirectoryOptions): StoreDirectory {
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const cacheMs = options.podCacheMs ?? 3_000;
  const pods = new Map<string, { at: number; pods: Promise<StorePod[]> }>();

  const find = (id: string): RawStore | undefined =>
    (options.listStores() as RawStore[]).find(
      (s) =>
        s.metadata?.namespace && s.metadata.name && storeId(s.metadata.namespace, s.metadata.name) === id,
    );

  const podsOf = (namespace: string, name: string): Promise<StorePod[]> => {
    const key = storeId(namespace, name);
    const cached = pods.get(key);
    if (cached && Date.now() - cached.at < cacheMs) return cached.pods;
    const fresh = listStorePods(core, namespace, name);
    pods.set(key, { at: Date.now(), pods: fresh });
    fresh.catch(() => pods.delete(key));
    return fresh;
  };

  return {
    describe:
      options.route === "apiserver"
        ? "the operator reaches store nodes through the Kubernetes apiserver's pod proxy"
        : "the operator reaches store nodes at their pod IPs",
    async stores() {
      const out: DirectoryStore[] = [];
      for (const s of options.listStores() as RawStore[]) {
        const namespace = s.metadata?.namespace;
        const name = s.metadata?.name;
        if (!namespace || !name) continue;
        // The page resolves conflicts, which needs the admin role: point at the admin token.
        const secret = secretFor(s.spec?.auth, "admin");
        out.push({
          id: storeId(namespace, name),
          namespace,
          name,
          ...(s.spec?.mode ? { mode: s.spec.mode } : {}),
          ...(s.status?.phase ? { phase: s.status.phase } : {}),
          ...(s.status?.replicas !== undefined
            ? { ready: `${s.status.readyReplicas ?? 0}/${s.status.replicas}` }
            : {}),
          auth: s.spec?.auth !== undefined,
          ...(secret
            ? {
                tokenHint: `the admin token: kubectl -n ${namespace} get secret ${secret} -o jsonpath='{.data.token}' | base64 -d`,
              }
            : {}),
        });
      }
      return out.sort((a, b) => a.id.localeCompare(b.id));
    },
    async endpoints(id): Promise<NodeEndpoint[] | undefined> {
      const store = find(id);
      const namespace = store?.metadata?.namespace;
      const name = store?.metadata?.name;
      if (!store || !namespace || !name) return undefined;
      const tls = storeUsesTls(store.spec);
      const wire =
        tls && options.route === "pod-ip"
          ? {
              tls,
              ...optional("ca", await readStoreCa(core, namespace, name)),
              servername: `${name}.${namespace}.svc`,
            }
          : { tls };
      return podEndpoints(await podsOf(namespace, name), options.route, options.kubeConfig, namespace, wire);
    },
  };
}
