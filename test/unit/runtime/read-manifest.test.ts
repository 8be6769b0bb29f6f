import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../../src/errors.ts";
import { readManifestFile } from "../../../src/runtime/read-manifest.ts";
import { tempDir } from "./helpers.ts";

const SAMPLE = fileURLToPath(new URL("../../../deploy/samples/leaderless.yaml", import.meta.url));

let dir: string;
beforeEach(() => {
  dir = tempDir("manifest");
});

function file(text: string, name = "store.yaml"): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function failure(path: string): UserError {
  try {
    readManifestFile(path);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error("expected a UserError");
}

const HEADER = "apiVersion: replistore.io/v1alpha1\nkind: ReplicatedStore\nmetadata: {name: orders}\n";

describe("readManifestFile", () => {
  it("reads the leaderless sample as N=3 W=2 R=2 Strong", () => {
    const { manifest, warnings } = readManifestFile(SAMPLE);
    expect(warnings).toEqual([]);
    expect(manifest.metadata.name).toBe("orders");
    expect(manifest.spec.replicas).toBe(3);
    expect(manifest.spec.mode).toBe("Leaderless");
    expect(manifest.spec.replication).toEqual({
      factor: 3,
      writeQuorum: 2,
      readQuorum: 2,
      consistency: "Strong",
    });
  });

  it("names the file, line and column of a YAML syntax error", () => {
    const path = file(`${HEADER}spec:\n  replicas: 3\n mode: Leaderless\n`);
    const err = failure(path);
    expect(err.message).toMatch(new RegExp(`^${path}:6:2: invalid YAML: bad indentation`));
    expect(err.message).not.toMatch(/\n\s+at /);
  });

  it("names the file and every invalid field", () => {
    const path = file(`${HEADER}spec:\n  replicas: 0\n  replication: {writeQuorum: 2, fator: 3}\n`);
    expect(failure(path).message).toBe(
      `${path}: invalid ReplicatedStore:\n` +
        "  spec.replicas: must be >= 1 (got 0)\n" +
        "  spec.replication.fator: unknown field; did you mean factor?",
    );
  });

  it("names the file for a rule violation", () => {
    const path = file(`${HEADER}spec:\n  replicas: 3\n  replication: {writeQuorum: 5}\n`);
    expect(failure(path).message).toMatch(
      new RegExp(
        `^${path}: invalid ReplicatedStore:\n  spec\\.replication\\.writeQuorum \\(5\\) must be at most`,
      ),
    );
  });

  it("returns warnings alongside a valid manifest", () => {
    const path = file(
      `${HEADER}spec:\n  replication: {writeQuorum: 1, readQuorum: 1, consistency: Eventual}\n`,
    );
    expect(readManifestFile(path).warnings).toHaveLength(1);
  });

  it("says so when the file is missing, empty, or a directory", () => {
    expect(failure(join(dir, "nope.yaml")).message).toBe(
      `cannot read ${join(dir, "nope.yaml")}: no such file`,
    );
    const empty = file("");
    expect(failure(empty).message).toBe(`${empty}: no manifest in the file (it is empty)`);
    mkdirSync(join(dir, "sub"));
    expect(failure(join(dir, "sub")).message).toBe(`cannot read ${join(dir, "sub")}: is a directory`);
  });

  it("picks the ReplicatedStore out of a multi-document file", () => {
    const path = file(
      `apiVersion: v1\nkind: Secret\nmetadata: {name: t}\n---\n${HEADER}spec: {replicas: 2}\n`,
    );
    expect(readManifestFile(path).manifest.spec.replicas).toBe(2);
  });

  it("names the document in errors from a multi-document file", () => {
    const path = file(`apiVersion: v1\nkind: Secret\n---\n${HEADER}spec: {replicas: -1}\n`);
    expect(failure(path).message).toMatch(new RegExp(`^${path} \\(document 2\\): invalid ReplicatedStore`));
  });

  it("refuses a file with two stores", () => {
    const path = file(`${HEADER}---\n${HEADER}`);
    expect(failure(path).message).toBe(
      `${path}: holds 2 YAML documents and 2 of kind ReplicatedStore; expected exactly one ReplicatedStore`,
    );
  });

  it("rejects a document that is not a mapping", () => {
    expect(failure(file("- a\n- b\n")).message).toMatch(
      /invalid ReplicatedStore:\n {2}manifest: must be a mapping/,
    );
  });
});
