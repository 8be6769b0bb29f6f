import { describe, expect, it } from "vitest";
import { validateManifest } from "../../../src/api/validate.ts";
import { API, manifest } from "./manifests.ts";

function errorsOf(input: unknown): string[] {
  const result = validateManifest(input);
  if (result.ok) throw new Error("expected errors");
  return result.errors;
}

describe("validateManifest schema errors", () => {
  it("names an unknown spec field and suggests the known one", () => {
    expect(errorsOf(manifest({ replication: { fator: 3 } }))).toEqual([
      "spec.replication.fator: unknown field; did you mean factor?",
    ]);
  });

  it("lists the known fields when nothing is close", () => {
    expect(errorsOf(manifest({ clock: { zzz: 1 } }))).toEqual([
      "spec.clock.zzz: unknown field; known fields: maxOffset",
    ]);
  });

  it("rejects unknown top-level fields", () => {
    expect(errorsOf({ ...manifest(), extra: true })[0]).toMatch(/^extra: unknown field/);
  });

  it("names the field of a number out of range", () => {
    expect(errorsOf(manifest({ replication: { writeQuorum: 0 } }))).toEqual([
      "spec.replication.writeQuorum: must be >= 1 (got 0)",
    ]);
  });

  it("reports a wrong type once, not once per keyword", () => {
    expect(errorsOf(manifest({ replicas: "three" }))).toEqual([
      'spec.replicas: must be a whole number (got "three")',
    ]);
  });

  it("explains a bad duration and a bad quantity", () => {
    expect(errorsOf(manifest({ clock: { maxOffset: "5 minutes" }, storage: { size: "1GB" } }))).toEqual([
      'spec.clock.maxOffset: must be a duration such as 500ms, 30s, 24h or 1h30m (got "5 minutes")',
      'spec.storage.size: must be a size such as 512Mi, 1Gi or 100M (got "1GB")',
    ]);
  });

  it("suggests the right case for an enum value", () => {
    expect(errorsOf(manifest({ mode: "leaderless" }))).toEqual([
      'spec.mode: must be one of Leaderless, MultiLeader (got "leaderless"); did you mean Leaderless?',
    ]);
  });

  it("names missing required fields one by one", () => {
    expect(errorsOf({ kind: "ReplicatedStore", spec: { mode: "MultiLeader", multiLeader: {} } })).toEqual([
      "apiVersion: required",
      "metadata: required",
      "spec.multiLeader.leaders: required",
    ]);
  });

  it("explains an invalid store name", () => {
    expect(errorsOf({ ...API, metadata: { name: "Orders_1" } })[0]).toMatch(
      /^metadata\.name: must be a lowercase DNS label.*\(got "Orders_1"\)$/,
    );
  });

  it("indexes list items and map keys in paths", () => {
    expect(
      errorsOf(manifest({ scheduling: { tolerations: ["x"], nodeSelector: { "kubernetes.io/os": 1 } } })),
    ).toEqual([
      'spec.scheduling.tolerations[0]: must be a mapping (got "x")',
      'spec.scheduling.nodeSelector["kubernetes.io/os"]: must be a string (got 1)',
    ]);
  });

  it("reports every problem, beyond TypeBox's default of 8", () => {
    const spec: Record<string, unknown> = {};
    for (let i = 0; i < 12; i++) spec[`unknown${i}`] = i;
    expect(errorsOf(manifest(spec))).toHaveLength(12);
  });

  it("rejects input that is not a mapping", () => {
    expect(errorsOf("apiVersion: x")).toEqual([
      "manifest: must be a mapping with apiVersion, kind, metadata and spec",
    ]);
    expect(errorsOf(null)).toHaveLength(1);
  });

  it("never leaks schema-combinator noise", () => {
    const all = errorsOf({
      ...manifest({ mode: 1, replication: [], auth: { secretName: "Bad!" } }),
      kind: "Nope",
    });
    expect(all.join("\n")).not.toMatch(/anyOf|oneOf|schema is false|must match a schema/);
  });
});
