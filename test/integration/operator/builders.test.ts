/**
 * Every builder's object as the real kube-apiserver takes it: accepted by server-side apply (so no
 * field is misspelled or invalid for v1.34), round-tripped without losing what we set, and taken
 * over by the real StatefulSet controller in a namespace enforcing the restricted Pod Security level.
 */
import {
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  type V1NetworkPolicy,
} from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { CRD_FILE } from "../../../src/api/crd-yaml.ts";
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from "../../../src/api/names.ts";
import { validateManifest } from "../../../src/api/validate.ts";
import { buildConfigMap } from "../../../src/builders/config-map.ts";
import type { BuildContext, StoreResource } from "../../../src/builders/context.ts";
import { buildPodDisruptionBudget } from "../../../src/builders/disruption-budget.ts";
import { buildNetworkPolicy } from "../../../src/builders/network-policy.ts";
import { buildRepairCronJob } from "../../../src/builders/repair-cronjob.ts";
import { buildClientService, buildPeersService } from "../../../src/builders/services.ts";
import { buildStatefulSet } from "../../../src/builders/statefulset.ts";
import { buildTokenSecret } from "../../../src/builders/token-secret.ts";
import { eventually } from "../../support/eventually.ts";
import { useControlPlane } from "../../support/k8s/fixture.ts";
import { refusal } from "../../support/k8s/index.ts";
import { EVERY_POD_SETTING } from "../../unit/api/manifests.ts";

const env = useControlPlane({ crds: [CRD_FILE] });
let objects: KubernetesObjectApi;

beforeAll(() => {
  objects = KubernetesObjectApi.makeApiClient(env.clients.config);
});

/** Server-side apply, as the operator applies what it builds (force: the test owns every field). */
const apply = (object: KubernetesObject) =>
  objects.patch(object, undefined, undefined, "replistore-test", true, PatchStrategy.ServerSideApply);

/** A namespace where Pod Security admission enforces "restricted". */
async function restrictedNamespace(prefix: string): Promise<string> {
  const created = await env.clients.core.createNamespace({
    body: {
      metadata: {
        generateName: `${prefix}-`,
        labels: { "pod-security.kubernetes.io/enforce": "restricted" },
      },
    },
  });
  return created.metadata?.name ?? "";
}

async function createStore(namespace: string, spec: Record<string, unknown>): Promise<StoreResource> {
  const created = await env.clients.custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: PLURAL,
    body: { apiVersion: API_VERSION, kind: KIND, metadata: { name: "orders" }, spec },
  });
  const { status: _status, ...withoutStatus } = created as Record<string, unknown>;
  const result = validateManifest(withoutStatus);
  if (!result.ok) throw new Error(result.errors.join("; "));
  return result.manifest as StoreResource;
}

describe("builders against a real kube-apiserver", () => {
  it("every object is accepted by server-side apply and keeps what was set", async () => {
    // Pod Security admission enforces "restricted" here: the StatefulSet controller could not
    // create the pods if the template fell short of it.
    const namespace = await restrictedNamespace("builders");
    const refused = await refusal(() =>
      env.clients.core.createNamespacedPod({
        namespace,
        body: { metadata: { name: "loose" }, spec: { containers: [{ name: "c", image: "x" }] } },
      }),
    );
    expect(refused.message).toContain("violates PodSecurity");
    const store = await createStore(namespace, {
      replicas: 3,
      auth: { secretName: "orders-token" },
      storage: { size: "2Gi", storageClassName: "standard", retainOnDelete: false },
      resources: { requests: { cpu: "100m", memory: "128Mi" } },
      scheduling: {
        tolerations: [{ key: "dedicated", operator: "Equal", value: "db", effect: "NoSchedule" }],
        nodeSelector: { disk: "ssd" },
        topologySpreadConstraints: [
          { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" },
        ],
      },
    });
    const ctx: BuildContext = {
      image: "registry.invalid/replistore:test",
      operatorNamespace: "replistore-system",
      configGeneration: 1,
      token: "t0k3n",
    };
    const applied = [
      buildStatefulSet(store, ctx),
      buildPeersService(store),
      buildClientService(store),
      buildConfigMap(store, ctx),
      buildPodDisruptionBudget(store),
      buildRepairCronJob(store, ctx),
      buildNetworkPolicy(store, ctx),
    ];
    for (const object of applied) {
      await apply(object);
    }
    const secret = buildTokenSecret(store, ctx);
    if (!secret) throw new Error("no Secret built");
    await env.clients.core.createNamespacedSecret({ namespace, body: secret });

    const sts = await env.clients.apps.readNamespacedStatefulSet({ namespace, name: "orders" });
    expect(sts.spec?.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: "Delete",
      whenScaled: "Delete",
    });
    expect(sts.spec?.template.spec?.containers[0]?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(sts.metadata?.ownerReferences?.[0]?.uid).toBe(store.metadata.uid);
    const policy: V1NetworkPolicy = await objects.read({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "orders", namespace },
    });
    // `from` survives the client's model naming (`_from`) both ways.
    expect(policy.spec?.ingress?.[0]?._from).toHaveLength(5);
    const pdb = await objects.read({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "orders", namespace },
    });
    expect(pdb).toMatchObject({ spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" } });
    const stored = await env.clients.core.readNamespacedSecret({ namespace, name: "orders-token" });
    expect(Buffer.from(stored.data?.token ?? "", "base64").toString()).toBe("t0k3n");

    // The StatefulSet controller creates the pods and their claims from the template.
    const pods = await eventually(
      async () => {
        const list = await env.clients.core.listNamespacedPod({
          namespace,
          labelSelector: "app.kubernetes.io/instance=orders,app.kubernetes.io/component=node",
        });
        if (list.items.length !== 3) throw new Error(`${list.items.length} pods`);
        return list.items;
      },
      { timeoutMs: 30_000, what: "3 node pods" },
    );
    expect(pods.map((p) => p.metadata?.name).sort()).toEqual(["orders-0", "orders-1", "orders-2"]);
    const claims = await env.clients.core.listNamespacedPersistentVolumeClaim({ namespace });
    expect(claims.items.map((c) => c.metadata?.name).sort()).toEqual([
      "data-orders-0",
      "data-orders-1",
      "data-orders-2",
    ]);
  });

  it("a store with every pod setting: StatefulSet and CronJob accepted, and their pods carry the settings", async () => {
    const namespace = await restrictedNamespace("pod-settings");
    // Admission refuses pods naming a service account or priority class that does not exist.
    await env.clients.core.createNamespacedServiceAccount({
      namespace,
      body: { metadata: { name: "orders-sa" } },
    });
    await objects.create({
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "store-critical" },
      value: 100000,
      description: "replistore test",
    } as KubernetesObject);
    const store = await createStore(
      namespace,
      structuredClone(EVERY_POD_SETTING) as unknown as Record<string, unknown>,
    );
    const ctx: BuildContext = {
      image: "registry.invalid/replistore:test",
      operatorNamespace: "replistore-system",
      configGeneration: 1,
    };
    for (const object of [
      buildStatefulSet(store, ctx),
      buildRepairCronJob(store, ctx),
      buildConfigMap(store, ctx),
    ]) {
      await apply(object);
    }
    // A run of the repair CronJob, as `kubectl create job --from=cronjob/orders-repair` makes it.
    const cronJob = await env.clients.batch.readNamespacedCronJob({ namespace, name: "orders-repair" });
    await env.clients.batch.createNamespacedJob({
      namespace,
      body: {
        metadata: { name: "orders-repair-manual", ...cronJob.spec?.jobTemplate.metadata },
        spec: cronJob.spec?.jobTemplate.spec,
      },
    });

    const podsOf = (component: string, count: number) =>
      eventually(
        async () => {
          const list = await env.clients.core.listNamespacedPod({
            namespace,
            labelSelector: `app.kubernetes.io/instance=orders,app.kubernetes.io/component=${component}`,
          });
          if (list.items.length !== count) throw new Error(`${list.items.length} ${component} pods`);
          return list.items;
        },
        { timeoutMs: 30_000, what: `${count} ${component} pods` },
      );
    const nodePods = await podsOf("node", 3);
    const [repairPod] = await podsOf("repair", 1);
    for (const pod of [...nodePods, repairPod]) {
      const name = pod?.metadata?.name;
      expect(pod?.metadata?.labels, name).toMatchObject({
        team: "payments",
        "app.kubernetes.io/part-of": "checkout",
      });
      expect(pod?.metadata?.annotations, name).toMatchObject({ "example.com/owner": "payments@example.com" });
      expect(pod?.spec?.imagePullSecrets, name).toEqual([{ name: "regcred" }]);
      expect(pod?.spec?.serviceAccountName, name).toBe("orders-sa");
      expect(pod?.spec?.automountServiceAccountToken, name).toBe(false);
      expect(pod?.spec?.priorityClassName, name).toBe("store-critical");
      expect(pod?.spec?.priority, name).toBe(100000);
      expect(pod?.spec?.nodeSelector, name).toEqual({ "kubernetes.io/os": "linux" });
      expect(pod?.spec?.tolerations, name).toEqual(
        expect.arrayContaining([...EVERY_POD_SETTING.scheduling.tolerations]),
      );
    }
    const [nodePod] = nodePods;
    expect(nodePod?.spec?.affinity).toEqual(EVERY_POD_SETTING.scheduling.affinity);
    // The apiserver adds matchLabelKeys' values to the pod's own copy of labelSelector; the
    // template keeps the constraints as given.
    expect(nodePod?.spec?.topologySpreadConstraints?.map((c) => c.topologyKey)).toEqual([
      "topology.kubernetes.io/zone",
    ]);
    expect(nodePod?.spec?.containers[0]?.resources).toEqual(EVERY_POD_SETTING.resources);
    expect(repairPod?.spec?.affinity).toBeUndefined();
    const sts = await env.clients.apps.readNamespacedStatefulSet({ namespace, name: "orders" });
    expect(sts.metadata?.labels).toMatchObject({ team: "payments" });
    expect(JSON.parse(JSON.stringify(sts.spec?.template.spec?.topologySpreadConstraints))).toEqual(
      EVERY_POD_SETTING.scheduling.topologySpreadConstraints,
    );
    expect(sts.spec?.volumeClaimTemplates?.[0]?.spec?.storageClassName).toBe("fast-ssd");
  });

  it("the default spread over nodes and zones is accepted as built", async () => {
    const created = await env.clients.core.createNamespace({
      body: { metadata: { generateName: "spread-" } },
    });
    const namespace = created.metadata?.name ?? "";
    const store = await createStore(namespace, {});
    const ctx: BuildContext = {
      image: "registry.invalid/replistore:test",
      operatorNamespace: "x",
      configGeneration: 1,
    };
    const built = buildStatefulSet(store, ctx);
    await apply(built);
    const sts = await env.clients.apps.readNamespacedStatefulSet({ namespace, name: "orders" });
    expect(sts.spec?.template.spec?.topologySpreadConstraints).toEqual(
      built.spec?.template.spec?.topologySpreadConstraints,
    );
    expect(sts.spec?.template.spec?.topologySpreadConstraints?.map((c) => c.topologyKey)).toEqual([
      "kubernetes.io/hostname",
      "topology.kubernetes.io/zone",
    ]);
  });
});
