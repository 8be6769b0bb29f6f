/** The CRD builder: names, printer columns, and an openAPIV3Schema the apiserver takes as structural. */
import Type from "typebox";
import Value from "typebox/value";
import { describe, expect, it } from "vitest";
import {
  type JsonSchemaProps,
  PRINTER_COLUMNS,
  replicatedStoreCrd,
  toStructural,
} from "../../../src/api/crd.ts";
import { ReplicatedStoreSpec } from "../../../src/api/replicated-store.ts";
import { crdValidations } from "../../../src/api/rules.ts";

const crd = replicatedStoreCrd();
const version = crd.spec.versions[0];
const schema = version?.schema.openAPIV3Schema ?? {};

function child(node: JsonSchemaProps | undefined, name: string): JsonSchemaProps | undefined {
  const properties = node?.properties as Record<string, JsonSchemaProps> | undefined;
  return properties?.[name];
}

/** Every node below the root with its path; `{}` marks a map's values, `[]` a list's items. */
function nodes(node: JsonSchemaProps, path = ""): [string, JsonSchemaProps][] {
  const out: [string, JsonSchemaProps][] = [[path, node]];
  const properties = (node.properties ?? {}) as Record<string, JsonSchemaProps>;
  for (const [name, sub] of Object.entries(properties)) out.push(...nodes(sub, `${path}.${name}`));
  if (typeof node.items === "object") out.push(...nodes(node.items as JsonSchemaProps, `${path}[]`));
  if (typeof node.additionalProperties === "object") {
    out.push(...nodes(node.additionalProperties as JsonSchemaProps, `${path}{}`));
  }
  return out;
}

const all = nodes(schema);

describe("replicatedStoreCrd", () => {
  it("uses the contract names", () => {
    expect(crd.metadata.name).toBe("replicatedstores.replistore.io");
    expect(crd.spec.group).toBe("replistore.io");
    expect(crd.spec.scope).toBe("Namespaced");
    expect(crd.spec.names).toEqual({
      kind: "ReplicatedStore",
      listKind: "ReplicatedStoreList",
      plural: "replicatedstores",
      singular: "replicatedstore",
      shortNames: ["rstore"],
      categories: ["all"],
    });
    expect(crd.spec.versions).toHaveLength(1);
    expect(version).toMatchObject({ name: "v1alpha1", served: true, storage: true });
  });

  it("has the status subresource", () => {
    expect(version?.subresources).toEqual({
      status: {},
      scale: {
        specReplicasPath: ".spec.replicas",
        statusReplicasPath: ".status.replicas",
        labelSelectorPath: ".status.selector",
      },
    });
  });

  it("prints mode, replicas, ready, phase, quorum, conflicts pending and age, all without -o wide", () => {
    const columns = version?.additionalPrinterColumns ?? [];
    expect(columns.map((c) => [c.name, c.jsonPath])).toEqual([
      ["Mode", ".spec.mode"],
      ["Replicas", ".spec.replicas"],
      ["Ready", ".status.readyReplicas"],
      ["Phase", ".status.phase"],
      ["Quorum", ".status.quorum"],
      ["Conflicts", ".status.conflictsPending"],
      ["Age", ".metadata.creationTimestamp"],
    ]);
    expect(columns.filter((c) => (c.priority ?? 0) > 0)).toEqual([]);
  });

  it.each(PRINTER_COLUMNS.filter((c) => !c.jsonPath.startsWith(".metadata")))(
    "column $name points at a schema field of type $type",
    (column) => {
      const node = column.jsonPath
        .slice(1)
        .split(".")
        .reduce<JsonSchemaProps | undefined>((at, name) => child(at, name), schema);
      expect(node?.type).toBe(column.type);
    },
  );

  it("puts the cross-field CEL rules on spec", () => {
    expect(child(schema, "spec")?.["x-kubernetes-validations"]).toEqual(crdValidations());
  });

  it("keeps only metadata.name's constraints under metadata", () => {
    const metadata = child(schema, "metadata");
    expect(Object.keys(metadata ?? {}).sort()).toEqual(["properties", "type"]);
    expect(Object.keys((metadata?.properties as object) ?? {})).toEqual(["name"]);
    expect(child(metadata, "name")).toMatchObject({ type: "string", maxLength: 52 });
  });

  it("gives every node a type and no additionalProperties: false", () => {
    for (const [path, node] of all) {
      expect(["object", "array", "string", "integer", "number", "boolean"], path).toContain(node.type);
      expect(node.additionalProperties, path).not.toBe(false);
    }
  });

  it("uses only keys a structural schema allows", () => {
    const text = JSON.stringify(schema);
    for (const key of [
      '"anyOf"',
      '"oneOf"',
      '"allOf"',
      '"not"',
      '"const"',
      '"$id"',
      '"~kind"',
      '"$schema"',
    ]) {
      expect(text).not.toContain(key);
    }
  });

  it("describes every field except metadata's (the apiserver documents ObjectMeta)", () => {
    const undocumented = all
      .filter(([path]) => path !== "" && path !== ".metadata" && !path.endsWith("{}"))
      .filter(([, node]) => typeof node.description !== "string" || node.description === "")
      .map(([path]) => path);
    expect(undocumented).toEqual([]);
  });

  it("keeps defaults, enums, patterns and bounds", () => {
    const spec = child(schema, "spec");
    expect(child(spec, "replicas")).toMatchObject({ type: "integer", minimum: 1, default: 3 });
    expect(child(spec, "mode")).toMatchObject({ enum: ["Leaderless", "MultiLeader"], default: "Leaderless" });
    expect(child(child(spec, "clock"), "maxOffset")).toMatchObject({
      pattern: expect.any(String),
      maxLength: 32,
      default: "500ms",
    });
  });

  it("expands object defaults so the apiserver can validate them (CEL rules included)", () => {
    const spec = child(schema, "spec");
    expect(spec?.default).toEqual(Value.Default(ReplicatedStoreSpec, {}));
    expect(child(spec, "conflicts")?.default).toEqual({ policy: "Review", retention: "720h" });
    // A full default is itself a valid spec.
    expect(Value.Check(ReplicatedStoreSpec, spec?.default)).toBe(true);
  });

  it("requires only what has no default", () => {
    expect(child(schema, "spec")?.required).toBeUndefined();
    expect(child(child(schema, "spec"), "multiLeader")?.required).toEqual(["leaders"]);
    expect(child(child(schema, "spec"), "auth")?.required).toBeUndefined();
    expect(child(child(child(schema, "spec"), "auth"), "admin")?.required).toEqual(["secretName"]);
    for (const [path, node] of all) {
      for (const name of (node.required as string[] | undefined) ?? []) {
        expect(child(node, name)?.default, `${path}.${name}`).toBeUndefined();
      }
    }
  });

  it("is pure: two calls give equal, independent objects", () => {
    const again = replicatedStoreCrd();
    expect(again).toEqual(crd);
    expect(again.spec.versions[0]?.schema).not.toBe(version?.schema);
  });
});

describe("toStructural", () => {
  it("drops TypeBox bookkeeping and closed-object markers", () => {
    const out = toStructural(
      Type.Object({ a: Type.String({ description: "a" }) }, { additionalProperties: false }),
    );
    expect(out).toEqual({
      type: "object",
      required: ["a"],
      properties: { a: { type: "string", description: "a" } },
    });
  });

  it("keeps a map's value schema", () => {
    const out = toStructural({ type: "object", additionalProperties: { type: "string" } });
    expect(out.additionalProperties).toEqual({ type: "string" });
  });

  it.each([
    ["a combinator", Type.Union([Type.String(), Type.Number()]), /anyOf/],
    ["a node without a type", { description: "untyped" }, /has no type/],
    ["an open object", { type: "object", additionalProperties: true }, /allows any properties/],
    ["a const", { type: "string", const: "x" }, /"const"/],
  ])("refuses %s", (_what, node, message) => {
    expect(() => toStructural(node)).toThrow(message);
  });
});
