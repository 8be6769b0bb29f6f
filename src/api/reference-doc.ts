/**
 * docs/manifest-reference.md, generated from the manifest schema and the cross-field rules (the
 * same single source as the CRD), so the reference can never disagree with what the apiserver and
 * `replistore up` accept. `npm run gen:docs` writes it; a unit test fails when it is stale.
 */
import { LABEL_VALUE_PATTERN, RESOURCE_QUANTITY_PATTERN } from "./pod-types.ts";
import { ReplicatedStoreSpec } from "./replicated-store.ts";
import { CROSS_FIELD_RULES } from "./rules.ts";

export const REFERENCE_FILE = "docs/manifest-reference.md";

interface SchemaNode {
  type?: string;
  enum?: readonly unknown[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  required?: readonly string[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

const DURATION_HINT = "duration (`500ms`, `10s`, `24h`)";
const QUANTITY_HINT = "quantity (`64Mi`, `1Gi`)";

function typeText(node: SchemaNode): string {
  if (node.enum) return node.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  if (node.type === "integer") {
    const range =
      node.minimum !== undefined && node.maximum !== undefined
        ? ` ${node.minimum}–${node.maximum}`
        : node.minimum !== undefined
          ? ` ≥ ${node.minimum}`
          : "";
    return `integer${range}`;
  }
  if (node.pattern === RESOURCE_QUANTITY_PATTERN) return "Kubernetes quantity (`500m`, `2`, `1Gi`)";
  if (node.pattern === LABEL_VALUE_PATTERN) return "label value";
  if (node.type === "string" && node.pattern) {
    if (/ms\|s\|m\|h|\[a-zµ\]|µs/.test(node.pattern)) return DURATION_HINT;
    if (/Ki\|Mi/.test(node.pattern)) return QUANTITY_HINT;
  }
  if (node.type === "array") return `list of ${node.items ? typeText(node.items) : "values"}`;
  if (node.type === "object" && typeof node.additionalProperties === "object") {
    return `map of ${typeText(node.additionalProperties)}`;
  }
  if (node["x-kubernetes-preserve-unknown-fields"]) return "object (Kubernetes)";
  return node.type ?? "any";
}

function defaultText(node: SchemaNode, required: boolean): string {
  if (node.default !== undefined && !(typeof node.default === "object" && node.default !== null)) {
    return `\`${String(node.default)}\``;
  }
  return required ? "required" : "";
}

// `*` would read as emphasis (and a formatter rewrites it as `_`); the cron messages are full of them.
const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("*", "\\*").replaceAll("\n", " ");

/**
 * How far below spec fields are expanded: the pod-spec types go much deeper (affinity terms, label
 * selectors), and `kubectl explain` describes those better than a table could.
 */
const MAX_DEPTH = 2;

function rows(node: SchemaNode, path: string, out: string[][], depth = 0): void {
  const required = new Set(node.required ?? []);
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const here = `${path}.${name}`;
    const nested = child.type === "object" && child.properties !== undefined;
    out.push([
      `\`${here}\``,
      nested ? "object" : typeText(child),
      nested ? "" : defaultText(child, required.has(name)),
      cell(child.description ?? ""),
    ]);
    if (depth + 1 > MAX_DEPTH) continue;
    if (nested) rows(child, here, out, depth + 1);
    // A list of objects: its items' fields as `list[].field` (tolerations, spread constraints, ...).
    const items = child.type === "array" ? child.items : undefined;
    if (items?.type === "object" && items.properties !== undefined) rows(items, `${here}[]`, out, depth + 1);
  }
}

/** A Markdown table with aligned columns, as biome formats them (biome checks docs too). */
function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...body.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

export function renderReference(): string {
  const fields: string[][] = [];
  rows(ReplicatedStoreSpec as unknown as SchemaNode, "spec", fields);
  const rules = CROSS_FIELD_RULES.map((r) => [`\`${r.field}\``, cell(r.message)]);
  return `${[
    "# ReplicatedStore reference",
    "",
    "Generated from the manifest schema in `src/api/` by `npm run gen:docs`; do not edit by hand.",
    "The same schema is the CRD (`crds/`) and what `replistore up` validates. For what the fields",
    "mean together, with examples, see [manifest.md](manifest.md).",
    "",
    "`apiVersion: replistore.io/v1alpha1`, `kind: ReplicatedStore`, short name `rstore`.",
    "",
    "## Fields",
    "",
    "Fields of the Kubernetes pod-spec types below `spec.scheduling` (affinity terms, label selectors)",
    "are typed and described in the CRD: `kubectl explain rstore.spec.scheduling --recursive`.",
    "",
    table(["field", "type", "default", "description"], fields),
    "",
    "## Rules across fields",
    "",
    "Checked by the apiserver (CEL in the CRD) and by `replistore up`; each message names the fix.",
    "",
    table(["field", "message"], rules),
  ].join("\n")}\n`;
}
