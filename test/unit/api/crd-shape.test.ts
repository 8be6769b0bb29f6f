/**
 * The manifest schema will be turned into the CRD's openAPIV3Schema; these are the structural-schema
 * constraints that generator depends on.
 */
import { describe, expect, it } from "vitest";
import { openApiSchema } from "../../../src/api/crd.ts";
import { ReplicatedStore } from "../../../src/api/replicated-store.ts";

type Node = Record<string, unknown>;

function walk(node: Node, path: string, visit: (node: Node, path: string) => void): void {
  visit(node, path);
  const properties = node.properties as Record<string, Node> | undefined;
  for (const [name, child] of Object.entries(properties ?? {})) walk(child, `${path}.${name}`, visit);
  if (typeof node.items === "object" && node.items !== null) walk(node.items as Node, `${path}[]`, visit);
  if (typeof node.additionalProperties === "object" && node.additionalProperties !== null) {
    walk(node.additionalProperties as Node, `${path}{}`, visit);
  }
}

const nodes: [string, Node][] = [];
walk(JSON.parse(JSON.stringify(ReplicatedStore)) as Node, "", (node, path) => nodes.push([path, node]));

describe("ReplicatedStore schema as a CRD structural schema", () => {
  it.each(nodes.filter(([path]) => path !== "" && !path.endsWith("{}")))(
    "%s has a description",
    (_path, node) => {
      expect(typeof node.description).toBe("string");
    },
  );

  it.each(nodes)("%s has a type", (_path, node) => {
    expect(["object", "array", "string", "integer", "number", "boolean"]).toContain(node.type);
  });

  it("uses no combinators or const anywhere", () => {
    const text = JSON.stringify(ReplicatedStore);
    for (const keyword of ['"anyOf"', '"oneOf"', '"allOf"', '"not"', '"const"', '"patternProperties"']) {
      expect(text).not.toContain(keyword);
    }
  });

  it("types every enum as a string", () => {
    for (const [, node] of nodes) if (node.enum) expect(node.type).toBe("string");
  });

  it("bounds the length of strings that CEL rules match", () => {
    const spec = (openApiSchema().properties as Record<string, unknown> | undefined)?.spec as
      | Node
      | undefined;
    const rules = JSON.stringify(spec?.["x-kubernetes-validations"]);
    expect(rules).toContain("matches");
    const matched = nodes.filter(
      ([path]) => path.startsWith(".spec.") && rules.includes(`${path.replace(/^\.spec/, "self")}.matches`),
    );
    expect(matched.length).toBeGreaterThan(0);
    for (const [path, node] of matched) expect(node.maxLength, path).toBeTypeOf("number");
  });
});
