/**
 * Backups in a real S3 server (SeaweedFS, test/support/s3-server.ts) over HTTPS with its CA, through
 * the real CLI: a new store restored from the newest complete backup, an interrupted backup never
 * offered, and the errors a person meets (wrong credentials, a missing bucket, an untrusted CA).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDestination } from "../../../src/backup/destination.ts";
import { backupContents, runBackup } from "../../support/backup.ts";
import { type Expected, expectConverged } from "../../support/convergence.ts";
import { eventually, runCli, type Store, spawnCli, startStore, uniqueKey } from "../../support/index.ts";
import { type S3Server, startS3Server } from "../../support/s3-server.ts";

describe("backups in S3", () => {
  let s3: S3Server;
  let source: Store;
  const acked = new Map<string, Expected>();
  const destination = "s3://backups/stores/orders";
  beforeAll(async () => {
    s3 = await startS3Server({ tls: true, buckets: ["backups"] });
    source = await startStore({ nodes: 3 });
    for (let i = 0; i < 600; i++) {
      const key = uniqueKey(`s3-${i}`);
      const value = `value-${i}-${"x".repeat(1000)}`;
      const reply = await source.client(i % 3).put(key, value, { w: 2 });
      expect(reply.status, reply.text).toBe(200);
      acked.set(key, { version: String(reply.body.version), value });
    }
  });
  afterAll(async () => {
    await source?.cleanup();
    await s3?.stop();
  });

  it("restores a new store from the newest complete backup; an interrupted one is never offered", async () => {
    const first = await runBackup(source, destination, [], s3.env());
    expect(first.code, first.stderr).toBe(0);
    const complete = first.manifest!.id;

    // A second backup in small objects, killed while it uploads: objects, but no manifest.
    const child = spawnCli(
      [
        "backup",
        "create",
        "--config",
        source.configPath,
        "--destination",
        destination,
        "--id",
        "interrupted",
        "--object-size",
        "1Ki",
        "--no-termination-log",
      ],
      s3.env(),
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const bucket = openDestination({ path: destination }, { ...process.env, ...s3.env() });
    try {
      await eventually(async () => (await bucket.folders("")).includes("interrupted"), {
        timeoutMs: 30_000,
        intervalMs: 10,
        what: "the interrupted backup's first objects",
      });
    } finally {
      bucket.close();
    }
    child.kill("SIGKILL");
    await exited;

    const listed = await runCli(["backup", "list", "--destination", destination], { env: s3.env() });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${complete}\\s+complete\\s+600`));
    expect(listed.stdout).toMatch(/interrupted\s+incomplete/);
    const described = await runCli(["backup", "describe", "interrupted", "--destination", destination], {
      env: s3.env(),
    });
    expect(described.code).toBe(1);
    expect(described.stderr).toMatch(
      /backup interrupted at s3:\/\/backups\/stores\/orders\/ is incomplete: no manifest.*never offered for restore/,
    );

    const { manifest, data } = await backupContents(destination, undefined, { ...process.env, ...s3.env() });
    expect(manifest.id, "the newest complete backup, not the interrupted one").toBe(complete);
    for (const [key, want] of acked) expect(data.get(key), key).toEqual(want);

    // The nodes read S3 themselves, with the same AWS_* settings.
    const restored = await startStore({
      nodes: 3,
      nodeEnv: () => s3.env(),
      config: { bootstrap: { backupId: complete, destination: { path: destination } } },
    });
    try {
      await expectConverged(restored, acked);
    } finally {
      await restored.cleanup();
    }
  });

  it("says what is wrong with the credentials, the bucket or the CA, and writes nothing", async () => {
    const cases: Array<[string, Record<string, string>, string, RegExp]> = [
      [
        "wrong secret",
        s3.env({ AWS_SECRET_ACCESS_KEY: "wrong" }),
        destination,
        /access denied \(SignatureDoesNotMatch\); check the credentials/,
      ],
      [
        "unknown key",
        s3.env({ AWS_ACCESS_KEY_ID: "nobody" }),
        destination,
        /access denied \(InvalidAccessKeyId\)/,
      ],
      [
        "missing bucket",
        s3.env(),
        "s3://no-such-bucket/x",
        /bucket "no-such-bucket" does not exist; create it, or fix the destination/,
      ],
      [
        "untrusted CA",
        s3.env({ AWS_CA_BUNDLE: "" }),
        destination,
        /certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\); give its CA bundle/,
      ],
      [
        "no credentials",
        s3.env({ AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" }),
        destination,
        /needs S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
      ],
    ];
    for (const [what, env, dest, message] of cases) {
      const run = await runBackup(source, dest, ["--id", "refused"], env);
      expect(run.code, `${what}: ${run.stdout}`).toBe(1);
      expect(run.stderr, what).toMatch(message);
      expect(run.stderr, what).not.toMatch(/bug|at .*\.ts:\d+/);
    }
    const listed = await runCli(["backup", "list", "--destination", destination, "-o", "json"], {
      env: s3.env(),
    });
    expect((JSON.parse(listed.stdout) as Array<{ id: string }>).map((e) => e.id)).not.toContain("refused");
  });

  it("a node whose credentials are refused does not start, and says why", async () => {
    const first = await runBackup(source, destination, ["--id", "for-restore"], s3.env());
    expect(first.code, first.stderr).toBe(0);
    await expect(
      startStore({
        nodes: 1,
        nodeEnv: () => s3.env({ AWS_SECRET_ACCESS_KEY: "wrong" }),
        config: { bootstrap: { backupId: "for-restore", destination: { path: destination } } },
        readyTimeoutMs: 20_000,
      }),
    ).rejects.toThrow(/error: .*access denied \(SignatureDoesNotMatch\)/);
  });
});
