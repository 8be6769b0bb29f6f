/**
 * Gives the e2e files a state file of their own for this run (see support/cluster.ts, which starts
 * the cluster when the first file needs it), and stops the cluster at the end if this run started
 * it (REPLISTORE_KEEP_CLUSTER=1 keeps it, for looking around after a failure).
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { clusterScript, readState } from "./support/cluster.ts";

declare module "vitest" {
  export interface ProvidedContext {
    e2eStateFile: string;
  }
}

export default function setup(project: TestProject): () => Promise<void> {
  const stateFile = join(tmpdir(), `replistore-e2e-${process.pid}-${Date.now()}.json`);
  project.provide("e2eStateFile", stateFile);
  return async () => {
    const state = readState(stateFile);
    rmSync(stateFile, { force: true });
    if (state?.started && process.env.REPLISTORE_KEEP_CLUSTER !== "1") await clusterScript("down.sh");
  };
}
