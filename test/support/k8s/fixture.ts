/**
 * The test control plane as a vitest fixture: started before the tests of a file (or describe
 * block), stopped after them. Not in index.ts: test/bench/operator.ts imports that outside vitest.
 */
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { REPO_ROOT } from "../node-process.ts";
import { type KubeClients, kubeClients } from "./client.ts";
import { type ControlPlane, startControlPlane } from "./control-plane.ts";

export interface PlaneFixtureOptions {
  /**
   * CRD files relative to the repository root (CRD_FILE, BACKUP_CRD_FILE), installed before
   * kube-controller-manager starts, so its garbage collector watches stores from the start.
   */
  crds?: readonly string[];
  /** More CRD files (absolute paths), installed likewise; a function runs first in beforeAll. */
  moreCrdFiles?: readonly string[] | (() => Promise<string[]>);
  /** Started alongside the control plane and awaited with it (e.g. the nodes of a PodStore). */
  alongside?: () => Promise<unknown>;
}

export interface PlaneFixture {
  plane: ControlPlane;
  clients: KubeClients;
}

/** Starts a control plane with the CRDs of `options` (and what runs alongside it). */
export async function startPlaneFixture(options: PlaneFixtureOptions = {}): Promise<PlaneFixture> {
  const more =
    typeof options.moreCrdFiles === "function" ? await options.moreCrdFiles() : (options.moreCrdFiles ?? []);
  const crdFiles = [...(options.crds ?? []).map((file) => join(REPO_ROOT, file)), ...more];
  const [plane] = await Promise.all([startControlPlane({ crdFiles }), options.alongside?.()]);
  return { plane, clients: kubeClients(plane.kubeconfigPath) };
}

/**
 * A control plane for the tests of one file or describe block: `env.plane` and `env.clients` are
 * set in beforeAll, and the plane is stopped in afterAll (after the afterAll hooks registered
 * later, which vitest runs first).
 */
export function useControlPlane(options: PlaneFixtureOptions = {}): PlaneFixture {
  const env = {} as PlaneFixture;
  beforeAll(async () => {
    Object.assign(env, await startPlaneFixture(options));
  });
  afterAll(async () => {
    await env.plane?.stop();
  });
  return env;
}
