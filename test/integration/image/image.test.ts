/**
 * The image hack/image/build.sh builds from the Dockerfile: its configuration, and its CLI run as a
 * container with a read-only root filesystem as the non-root user, as the operator's pods run it:
 * `--version`, a real replica node (HTTP on the host's loopback, data in the image's volume) that
 * stops cleanly on SIGTERM, and `replistore repair` against that node.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildClusterConfig, eventually, freePort, send } from "../../support/index.ts";
import { IMAGE, podman, podmanOk, requireImage, VERSION } from "./podman.ts";

interface ImageConfig {
  User: string;
  Entrypoint: string[];
  Cmd: string[];
  WorkingDir: string;
  Env: string[];
  Volumes?: Record<string, unknown>;
}

const names: string[] = [];
let dir: string;

beforeAll(async () => {
  requireImage();
  dir = await mkdtemp(join(tmpdir(), "replistore-image-"));
  await chmod(dir, 0o755);
});

afterAll(async () => {
  for (const name of names) await podman(["rm", "--force", "--volumes", name]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the image", () => {
  it("runs the replistore CLI as uid 10001 with its data directory as a volume, and is small", async () => {
    const config = JSON.parse(
      await podmanOk(["image", "inspect", "--format", "{{json .Config}}", IMAGE]),
    ) as ImageConfig;
    // Numeric, so the pods' runAsNonRoot can check it (src/builders: RUN_AS_USER 10001).
    expect(config.User).toBe("10001:10001");
    expect(config.Entrypoint).toEqual(["replistore"]);
    expect(config.Cmd).toEqual(["--help"]);
    expect(config.WorkingDir).toBe("/app");
    expect(config.Env).toContain("NODE_ENV=production");
    expect(Object.keys(config.Volumes ?? {})).toEqual(["/var/lib/replistore"]);
    const size = Number(await podmanOk(["image", "inspect", "--format", "{{.Size}}", IMAGE]));
    // Node 24 (~127 MB) on Debian slim (~80 MB) plus the production dependencies (~90 MB).
    expect(size).toBeLessThan(320_000_000);
  });

  it("prints its version with a read-only root filesystem, and has no npm, compilers or dev dependencies", async () => {
    const version = await podmanOk(["run", "--rm", "--read-only", IMAGE, "--version"]);
    expect(version.trim()).toBe(VERSION);
    const help = await podmanOk(["run", "--rm", "--read-only", IMAGE]);
    for (const command of ["node", "operator", "repair", "up", "kv", "conflicts"])
      expect(help).toContain(command);
    const probe = await podmanOk([
      "run",
      "--rm",
      "--read-only",
      "--entrypoint",
      "/bin/sh",
      IMAGE,
      "-c",
      "id -u; command -v npm gcc make python3 || true; ls /app/node_modules | grep -cx -e vitest -e typescript -e @biomejs -e node || true; ls /app",
    ]);
    const [uid, ...rest] = probe.trim().split("\n");
    expect(uid).toBe("10001");
    // no npm, gcc, make or python3 path, then 0 dev packages, then what /app holds
    expect(rest).toEqual(["0", "node_modules", "package.json", "src"]);
  });

  it("runs a replica node read-only and non-root: ready, writes and reads, stops cleanly on SIGTERM; repair runs against it", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const configDir = join(dir, "node-config");
    await rm(configDir, { recursive: true, force: true });
    await mkdir(configDir, { mode: 0o755 });
    const config = buildClusterConfig([{ id: "image-0", url }], { factor: 1, writeQuorum: 1, readQuorum: 1 });
    await writeFile(join(configDir, "cluster.json"), JSON.stringify(config), { mode: 0o644 });

    const name = `replistore-test-node-${process.pid}`;
    names.push(name);
    await podmanOk([
      "run",
      "--detach",
      "--name",
      name,
      "--read-only",
      // As the StatefulSet: /tmp is an emptyDir, the data directory a volume (here the image's own).
      "--tmpfs",
      "/tmp",
      "--network",
      "host",
      "--volume",
      `${configDir}:/etc/replistore:ro`,
      IMAGE,
      "node",
      "--id",
      "image-0",
      "--listen",
      `127.0.0.1:${port}`,
      "--data",
      "/var/lib/replistore",
      "--config",
      "/etc/replistore/cluster.json",
    ]);
    try {
      await eventually(
        async () => {
          const state = (await podmanOk(["inspect", "--format", "{{.State.Status}}", name])).trim();
          if (state !== "running")
            throw new Error(`container ${state}: ${(await podman(["logs", name])).stderr}`);
          const reply = await send(url, "GET", "/readyz");
          if (reply.status !== 200) throw new Error(`readyz ${reply.status}`);
        },
        { timeoutMs: 30_000, what: "the node in the container is ready" },
      );
      const put = await send(url, "PUT", "/v1/kv/greeting", { body: "hello from a container" });
      expect(put.status).toBe(200);
      const get = await send(url, "GET", "/v1/kv/greeting");
      expect(get.status).toBe(200);
      expect(get.text).toBe("hello from a container");

      // The repair job's command, in the same image (it reads the same config).
      const repair = await podman([
        "run",
        "--rm",
        "--read-only",
        "--tmpfs",
        "/tmp",
        "--network",
        "host",
        "--volume",
        `${configDir}:/etc/replistore:ro`,
        IMAGE,
        "repair",
        "--config",
        "/etc/replistore/cluster.json",
        "--no-termination-log",
        "-o",
        "json",
      ]);
      expect(repair.code, repair.stderr).toBe(0);
      expect(JSON.parse(repair.stdout)).toMatchObject({
        status: "complete",
        ok: true,
        members: [{ id: "image-0", reachable: true }],
      });

      // podman stop sends SIGTERM: the node drains its server and exits 0.
      await podmanOk(["stop", "--time", "20", name], 30_000);
      const exit = (await podmanOk(["inspect", "--format", "{{.State.ExitCode}}", name])).trim();
      const logs = await podman(["logs", name]);
      expect(exit, logs.stdout + logs.stderr).toBe("0");
      // The node logged to stdout and wrote nothing outside its volume and /tmp (the root is read-only).
      expect(logs.stdout).toContain('"msg":"node ready"');
      expect(logs.stdout + logs.stderr).not.toMatch(/EROFS|read-only file system/i);
    } finally {
      await podman(["rm", "--force", "--volumes", name]);
    }
  });
});
