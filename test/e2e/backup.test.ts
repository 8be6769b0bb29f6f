/**
 * Backup and restore on a real kubelet: a ReplicatedStoreBackup's Job runs in a pod, streams the
 * store's snapshots over mutual TLS and writes them to a real S3 server (SeaweedFS on the host, on the
 * cluster bridge's address); then a new store bootstrapped from that backup (backupName) starts its
 * pods, each loading its keys from S3 before it serves, and answers every acknowledged key.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.ts";
import { type S3Server, startS3Server } from "../support/s3-server.ts";
import { kubectl, kubectlJson } from "./support/commands.ts";
import { getKeys, putKeys, serviceUrl, wrongReads } from "./support/day2.ts";
import {
  ClientPod,
  createNamespace,
  deleteNamespace,
  storeStatus,
  waitStoreReady,
} from "./support/stores.ts";

const NS = `e2e-backup-${process.pid}`;
/** The cluster bridge's address (hack/cluster/lib.sh NODE_IP): where pods reach the host. */
const HOST = "10.244.0.1";

const store = (name: string, extra: string) => `
apiVersion: replistore.io/v1alpha1
kind: ReplicatedStore
metadata:
  name: ${name}
spec:
  replicas: 3
  antiEntropy: { schedule: "0 0 1 1 *" }
  storage: { size: 64Mi }
${extra}`;

interface BackupJson {
  status?: {
    phase?: string;
    message?: string;
    keys?: number;
    bytes?: number;
    cut?: string;
    jobName?: string;
    destination?: string;
  };
}

let s3: S3Server;
let client: ClientPod;
let acked: string[] = [];

beforeAll(async () => {
  s3 = await startS3Server({ address: HOST, buckets: ["e2e-backups"] });
  await createNamespace(NS);
  await kubectl([
    "create",
    "secret",
    "generic",
    "s3-creds",
    "-n",
    NS,
    `--from-literal=AWS_ACCESS_KEY_ID=${s3.accessKeyId}`,
    `--from-literal=AWS_SECRET_ACCESS_KEY=${s3.secretAccessKey}`,
  ]);
  const destination = `
  backup:
    destination:
      path: s3://e2e-backups/ledger
      endpoint: ${s3.endpoint}
      credentials: { secretName: s3-creds }`;
  await kubectl(["apply", "-n", NS, "-f", "-"], { input: store("ledger", destination) });
  client = await ClientPod.start(NS, "client", { "replistore.io/client-of": "ledger" });
  await waitStoreReady(NS, "ledger", 3, 240_000);
  const keys = Array.from({ length: 40 }, (_, i) => `e2e-backup-${i}`);
  acked = await putKeys(client, serviceUrl(NS, "ledger"), keys);
  expect(acked.length).toBe(keys.length);
});

afterAll(async () => {
  await deleteNamespace(NS);
  await s3?.stop();
});

describe("backups on a real cluster", () => {
  it("runs a ReplicatedStoreBackup as a Job that writes the store to S3", async () => {
    await kubectl(["apply", "-n", NS, "-f", "-"], {
      input:
        "apiVersion: replistore.io/v1alpha1\nkind: ReplicatedStoreBackup\nmetadata: { name: ledger-e2e }\nspec: { storeName: ledger }\n",
    });
    const done = await eventually(
      async () => {
        const b = await kubectlJson<BackupJson>(["get", "rsbackup", "ledger-e2e", "-n", NS, "-o", "json"]);
        if (b.status?.phase === "Failed") throw new Error(`backup failed: ${b.status.message}`);
        if (b.status?.phase !== "Completed") throw new Error(`phase ${b.status?.phase}`);
        return b;
      },
      { timeoutMs: 180_000, intervalMs: 1000, what: "ReplicatedStoreBackup ledger-e2e Completed" },
    );
    expect(done.status?.keys).toBeGreaterThanOrEqual(acked.length);
    expect(done.status?.destination).toBe("s3://e2e-backups/ledger/");
    expect(done.status?.cut).toMatch(/^\d+:\d+:ledger-\d$/);
    const status = (await storeStatus(NS, "ledger")) as { lastBackup?: { name?: string } };
    expect(status.lastBackup?.name).toBe("ledger-e2e");
  });

  it("starts a new store from that backup: every acknowledged key is there", async () => {
    await kubectl(["apply", "-n", NS, "-f", "-"], {
      input: store(
        "ledger-copy",
        `  bootstrap:
    fromBackup: { backupName: ledger-e2e }`,
      ),
    });
    const status = (await waitStoreReady(NS, "ledger-copy", 3, 240_000)) as {
      bootstrap?: { backupId?: string; completedAt?: string };
    };
    expect(status.bootstrap?.backupId).toBe("ledger-e2e");
    // The NetworkPolicy admits the copy's own clients only.
    const copyClient = await ClientPod.start(NS, "copy-client", { "replistore.io/client-of": "ledger-copy" });
    const reads = await getKeys(copyClient, serviceUrl(NS, "ledger-copy"), acked);
    expect(wrongReads(reads, acked)).toEqual([]);
  });
});
