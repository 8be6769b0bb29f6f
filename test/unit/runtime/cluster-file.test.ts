import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { validateManifest } from "../../../src/api/validate.ts";
import { loadClusterConfig } from "../../../src/config/load.ts";
import { writeClusterFile } from "../../../src/runtime/cluster-file.ts";
import { localMembers } from "../../../src/runtime/members.ts";
import { tempDir } from "./helpers.ts";

function manifest(spec: Record<string, unknown>) {
  const result = validateManifest({
    apiVersion: "replistore.io/v1alpha1",
    kind: "ReplicatedStore",
    metadata: { name: "orders" },
    spec,
  });
  if (!result.ok) throw new Error(result.errors.join("; "));
  return result.manifest;
}

let dir: string;
let path: string;
beforeEach(() => {
  dir = tempDir("cluster");
  path = join(dir, "cluster.json");
});

const members = localMembers("orders", 3, "127.0.0.1", 7070);

describe("writeClusterFile", () => {
  it("writes generation 1 first, in a form the node loads", () => {
    const { config, changed } = writeClusterFile(path, manifest({}), members);
    expect(changed).toBe(true);
    expect(config.generation).toBe(1);
    expect(loadClusterConfig(path)).toEqual(config);
  });

  it("leaves the file alone when nothing changed", () => {
    writeClusterFile(path, manifest({}), members);
    const before = statSync(path).mtimeMs;
    const text = readFileSync(path, "utf8");
    const { config, changed } = writeClusterFile(path, manifest({}), members);
    expect(changed).toBe(false);
    expect(config.generation).toBe(1);
    expect(readFileSync(path, "utf8")).toBe(text);
    expect(statSync(path).mtimeMs).toBe(before);
  });

  it("bumps the generation when the content changes", () => {
    writeClusterFile(path, manifest({}), members);
    const { config } = writeClusterFile(path, manifest({ clock: { maxOffset: "1s" } }), members);
    expect(config.generation).toBe(2);
    expect(loadClusterConfig(path).clock.maxOffsetMs).toBe(1000);
  });

  it("leaves no temporary files behind", () => {
    writeClusterFile(path, manifest({}), members);
    writeClusterFile(path, manifest({ replicas: 2 }), members.slice(0, 2));
    expect(readdirSync(dir)).toEqual(["cluster.json"]);
  });
});
