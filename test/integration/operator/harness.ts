/** An in-process operator against the test control plane, and helpers to drive ReplicatedStores. */

import { type CoreV1Event, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { pino } from "pino";
import { afterAll, beforeAll } from "vitest";
import { CRD_FILES } from "../../../src/api/crd-yaml.ts";
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from "../../../src/api/names.ts";
import type { ReplicatedStoreStatus } from "../../../src/api/status.ts";
import { Operator, type OperatorOptions } from "../../../src/operator/operator.ts";
import { eventually } from "../../support/eventually.ts";
import { type PlaneFixture, type PlaneFixtureOptions, startPlaneFixture } from "../../support/k8s/fixture.ts";
import type { KubeClients } from "../../support/k8s/index.ts";

export const TEST_IMAGE = "registry.invalid/replistore:test";

/** OPERATOR_LOG=debug shows the operator's log while a test runs. */
export async function startOperator(
  clients: KubeClients,
  overrides: Partial<OperatorOptions> = {},
): Promise<Operator> {
  const operator = new Operator({
    kubeConfig: clients.config,
    log: pino({ level: process.env.OPERATOR_LOG ?? "silent" }),
    namespaces: [],
    concurrency: 2,
    image: TEST_IMAGE,
    operatorNamespace: "replistore-system",
    backoffBaseMs: 100,
    backoffMaxMs: 2_000,
    ...overrides,
  });
  await operator.start();
  return operator;
}

export interface OperatorPlane extends PlaneFixture {
  operator: Operator;
}

export interface OperatorPlaneOptions extends PlaneFixtureOptions {
  /** The operator's options beyond startOperator's, or a function of the clients that makes them. */
  operator?: Partial<OperatorOptions> | ((clients: KubeClients) => Promise<Partial<OperatorOptions>>);
}

/**
 * A control plane with the CRDs and an in-process operator for the tests of one file (or describe
 * block), started before them and stopped after. The CRDs (by default both, as the chart installs
 * them) are installed before the controller manager starts, so its garbage collector knows stores.
 */
export function useOperatorPlane(options: OperatorPlaneOptions = {}): OperatorPlane {
  const env = {} as OperatorPlane;
  beforeAll(async () => {
    Object.assign(env, await startPlaneFixture({ crds: CRD_FILES.map((f) => f.path), ...options }));
    const overrides =
      typeof options.operator === "function" ? await options.operator(env.clients) : options.operator;
    env.operator = await startOperator(env.clients, overrides);
  });
  afterAll(async () => {
    await env.operator?.stop();
    await env.plane?.stop();
  });
  return env;
}

export interface StoreObject {
  metadata: { name: string; namespace: string; uid: string; generation: number; resourceVersion: string };
  spec: Record<string, unknown>;
  status?: ReplicatedStoreStatus;
}

export async function createStore(
  clients: KubeClients,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<StoreObject> {
  return (await clients.custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: PLURAL,
    body: { apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec },
  })) as StoreObject;
}

export async function readStore(clients: KubeClients, namespace: string, name: string): Promise<StoreObject> {
  return (await clients.custom.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: PLURAL,
    name,
  })) as StoreObject;
}

/** Replaces the store's status (as the operator writes it), e.g. to show a plugin a Ready store. */
export async function replaceStoreStatus(
  clients: KubeClients,
  namespace: string,
  name: string,
  status: Record<string, unknown>,
): Promise<void> {
  const current = await readStore(clients, namespace, name);
  await clients.custom.replaceNamespacedCustomObjectStatus({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: PLURAL,
    name,
    body: { ...current, status },
  });
}

/** A JSON merge patch of the store's spec, as `kubectl patch --type merge` sends. */
export async function patchSpec(
  clients: KubeClients,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  await clients.custom.patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { spec } },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}

/** What `kubectl scale rstore/<name> --replicas=N` sends: a patch of the scale subresource. */
export async function scaleStore(
  clients: KubeClients,
  namespace: string,
  name: string,
  replicas: number,
): Promise<void> {
  await clients.custom.patchNamespacedCustomObjectScale(
    { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { spec: { replicas } } },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}

export interface StoreScale {
  spec: { replicas: number };
  status: { replicas: number; selector?: string };
}

/** The scale subresource as `kubectl get --subresource=scale` and autoscalers read it. */
export async function readScale(clients: KubeClients, namespace: string, name: string): Promise<StoreScale> {
  return (await clients.custom.getNamespacedCustomObjectScale({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: PLURAL,
    name,
  })) as StoreScale;
}

export async function deleteStore(clients: KubeClients, namespace: string, name: string): Promise<void> {
  await clients.custom.deleteNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: PLURAL,
    name,
  });
}

export function conditionOf(store: StoreObject, type: string) {
  return store.status?.conditions?.find((c) => c.type === type);
}

/** Waits until the store's status satisfies `check` (which throws or returns false until it does). */
export async function waitForStatus(
  clients: KubeClients,
  namespace: string,
  name: string,
  check: (store: StoreObject) => boolean | undefined,
  what: string,
  timeoutMs = 30_000,
): Promise<StoreObject> {
  return eventually(
    async () => {
      const store = await readStore(clients, namespace, name);
      if (check(store) === false) {
        throw new Error(`status is ${JSON.stringify(store.status)}`);
      }
      return store;
    },
    { timeoutMs, what, intervalMs: 200 },
  );
}

export async function storeEvents(
  clients: KubeClients,
  namespace: string,
  name: string,
): Promise<CoreV1Event[]> {
  const list = await clients.core.listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.kind=${KIND},involvedObject.name=${name}`,
  });
  return list.items;
}

export async function waitForEvent(
  clients: KubeClients,
  namespace: string,
  name: string,
  reason: string,
): Promise<CoreV1Event> {
  return eventually(
    async () => {
      const events = await storeEvents(clients, namespace, name);
      const found = events.find((e) => e.reason === reason);
      if (!found) throw new Error(`events so far: ${events.map((e) => e.reason).join(", ")}`);
      return found;
    },
    { timeoutMs: 20_000, what: `event ${reason}` },
  );
}
