/** Every e2e file starts on the running cluster (the first one starts it: see support/cluster.ts). */
import { beforeAll, inject } from "vitest";
import { ensureCluster } from "./support/cluster.ts";

beforeAll(() => ensureCluster(inject("e2eStateFile")), 600_000);
