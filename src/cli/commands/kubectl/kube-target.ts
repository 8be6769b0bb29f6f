/**
 * `kubectl replistore`'s way to a store: the kubeconfig (--kubeconfig, $KUBECONFIG, ~/.kube/config;
 * --context), the namespace (-n, else the context's, else default), the ReplicatedStore, its node
 * pods, and its token (--token, $REPLISTORE_TOKEN, else the auth Secret of a token with the role
 * the command needs, when the user may read it). Requests go to the pods through the apiserver's pod proxy, ready pods first.
 */
import { existsSync } from "node:fs";
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { type Auth, type Role, secretFor } from "../../../api/auth-types.ts";
import { GROUP, PLURAL, VERSION } from "../../../api/names.ts";
import type { ReplicatedStoreStatus } from "../../../api/status.ts";
import { apiErrorFrom } from "../../../client/api-error.ts";
import { callFirst } from "../../../client/call-first.ts";
import { jsonOf } from "../../../client/decode-answer.ts";
import {
  listStorePods,
  podEndpoints,
  type StorePod,
  storeUsesTls,
} from "../../../client/discovery/store-pods.ts";
import type { NodeEndpoint, NodeRequest, NodeResponse } from "../../../client/endpoint.ts";
import { ApiserverRefusedError, NoNodeReachableError, UnreachableError } from "../../../client/errors.ts";
import { podProxyEndpoint } from "../../../client/pod-proxy.ts";
import { UserError } from "../../../errors.ts";

export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  token?: string;
  timeout: number;
}

export type KubeStore = KubernetesObject & {
  spec?: Record<string, unknown> & { auth?: Auth; mode?: string; replicas?: number };
  status?: ReplicatedStoreStatus;
};

export interface KubeTarget {
  kc: KubeConfig;
  namespace: string;
  name: string;
  store: KubeStore;
  pods: StorePod[];
  token: string | undefined;
  /** the role the command needs (its token was looked up for it) */
  role: Role;
  /** why no token was found, for a 401's message */
  tokenProblem: string | undefined;
}

/** Whether the target store's nodes speak TLS (unless its spec.tls.mode is Disabled). */
export function targetUsesTls(target: Pick<KubeTarget, "store">): boolean {
  return storeUsesTls(target.store.spec as { tls?: { mode?: string } } | undefined);
}

/** One pod of the target store through the apiserver's pod proxy, https when the store has TLS. */
export function podProxyFor(target: KubeTarget, pod: Pick<StorePod, "name" | "port">): NodeEndpoint {
  return podProxyEndpoint(target.kc, target.namespace, pod.name, pod.port, targetUsesTls(target));
}

export function loadKubeConfigFor(flags: KubeFlags): KubeConfig {
  const kc = new KubeConfig();
  if (flags.kubeconfig !== undefined) {
    if (!existsSync(flags.kubeconfig)) throw new UserError(`--kubeconfig ${flags.kubeconfig}: no such file`);
    kc.loadFromFile(flags.kubeconfig);
  } else {
    kc.loadFromDefault();
  }
  if (flags.context !== undefined) {
    if (!kc.getContextObject(flags.context)) {
      throw new UserError(
        `no context ${flags.context} in the kubeconfig (have: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(", ") || "none"
        })`,
      );
    }
    kc.setCurrentContext(flags.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new UserError("no Kubernetes cluster configured: pass --kubeconfig or set KUBECONFIG");
  }
  return kc;
}

/** The apiserver's refusal as one sentence. */
export function kubeErrorText(err: unknown): string {
  if (err instanceof ApiException) {
    let message = "";
    try {
      const body = typeof err.body === "string" ? (JSON.parse(err.body) as { message?: string }) : err.body;
      message = String((body as { message?: string } | undefined)?.message ?? "");
    } catch {
      message = String(err.body ?? "");
    }
    return `HTTP ${err.code}${message ? `: ${message}` : ""}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function code(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

async function readToken(
  core: CoreV1Api,
  namespace: string,
  secretName: string,
): Promise<{ token?: string; problem?: string }> {
  try {
    const secret = await core.readNamespacedSecret({ namespace, name: secretName });
    const data = secret.data?.token;
    if (!data) return { problem: `secret ${secretName} has no key "token"` };
    return { token: Buffer.from(data, "base64").toString("utf8").trim() };
  } catch (err) {
    return { problem: `could not read secret ${namespace}/${secretName} (${kubeErrorText(err)})` };
  }
}

export async function resolveKubeTarget(name: string, flags: KubeFlags, role: Role): Promise<KubeTarget> {
  const kc = loadKubeConfigFor(flags);
  const namespace = flags.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  let store: KubeStore;
  try {
    store = (await custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: PLURAL,
      name,
    })) as KubeStore;
  } catch (err) {
    if (code(err) === 404) {
      throw new UserError(
        `no ReplicatedStore ${name} in namespace ${namespace}: see kubectl get rstore -A, and pass -n NAMESPACE`,
      );
    }
    if (code(err) === 403) {
      throw new UserError(
        `you may not get replicatedstores in namespace ${namespace} (${kubeErrorText(err)}): ask your cluster admin for that RBAC permission; check with kubectl auth can-i get replicatedstores -n ${namespace}`,
      );
    }
    throw new UserError(`cannot read ReplicatedStore ${namespace}/${name}: ${kubeErrorText(err)}`);
  }
  let pods: StorePod[];
  try {
    pods = await listStorePods(core, namespace, name);
  } catch (err) {
    throw new UserError(`cannot list the pods of ${namespace}/${name}: ${kubeErrorText(err)}`);
  }
  let token = flags.token ?? (process.env.REPLISTORE_TOKEN || undefined);
  let tokenProblem: string | undefined;
  const secretName = secretFor(store.spec?.auth, role);
  if (token === undefined && secretName) {
    const found = await readToken(core, namespace, secretName);
    token = found.token;
    tokenProblem = found.problem;
  }
  return { kc, namespace, name, store, pods, token, role, tokenProblem };
}

/** One request to a node of the store; a node's error answer becomes an ApiError (exit 1). */
export async function callKubeStore(
  target: KubeTarget,
  req: Omit<NodeRequest, "token">,
  options: { accept?: readonly number[] } = {},
): Promise<NodeResponse> {
  const endpoints = podEndpoints(target.pods, "apiserver", target.kc, target.namespace, {
    tls: targetUsesTls(target),
  });
  const where = `${target.namespace}/${target.name}`;
  if (endpoints.length === 0) {
    throw new UserError(
      `store ${where} has no running pods to ask (${target.pods.length} pods, none with an IP): see kubectl get pods -n ${target.namespace} -l app.kubernetes.io/instance=${target.name}`,
    );
  }
  let res: NodeResponse;
  try {
    res = await callFirst(endpoints, { ...req, ...(target.token ? { token: target.token } : {}) });
  } catch (err) {
    if (err instanceof NoNodeReachableError)
      throw new UserError(`cannot reach store ${where}: ${err.message}`);
    if (err instanceof ApiserverRefusedError) throw new UserError(err.message);
    // The connection broke or timed out after the request may have reached the pod.
    if (err instanceof UnreachableError) throw new UserError(`cannot reach store ${where}: ${err.message}`);
    throw err;
  }
  if (res.status >= 400 && !options.accept?.includes(res.status)) {
    const error = apiErrorFrom(res, `pod ${res.node}`);
    if (res.status === 401) {
      error.message = `store ${where} needs a token with the ${target.role} role: pass --token or set REPLISTORE_TOKEN${target.tokenProblem ? ` (${target.tokenProblem})` : ""}`;
    }
    if (res.status === 403) {
      error.message += `; pass --token with a token that has the ${target.role} role, or set REPLISTORE_TOKEN to one`;
    }
    throw error;
  }
  return res;
}

export function json(res: NodeResponse): unknown {
  return jsonOf(res, `pod ${res.node}`);
}
