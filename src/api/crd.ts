/**
 * The ReplicatedStore CustomResourceDefinition, built from the one TypeBox schema so the apiserver
 * and `replistore up` accept the same manifests. Pure: `hack/gen-crds.ts` writes the result to
 * crds/, the tests apply it to a real apiserver, and the operator may install it.
 */
import type { TSchema } from "typebox";
import Value from "typebox/value";
import {
  BACKUP_KIND,
  BACKUP_PLURAL,
  BACKUP_SHORT_NAMES,
  BACKUP_SINGULAR,
  ReplicatedStoreBackup,
} from "./backup-resource.ts";
import { GROUP, KIND, PLURAL, SHORT_NAMES, SINGULAR, VERSION } from "./names.ts";
import { ReplicatedStore } from "./replicated-store.ts";
import { crdValidations } from "./rules.ts";

/** A JSON-Schema node as the CRD's openAPIV3Schema spells it (plain JSON, `x-kubernetes-*` keys). */
export type JsonSchemaProps = { [key: string]: unknown };

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: "Namespaced";
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: JsonSchemaProps };
      subresources: {
        status: Record<string, never>;
        scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
      };
      additionalPrinterColumns: PrinterColumn[];
    }[];
  };
}

/**
 * Keys a structural schema may carry, copied as they are. Anything else is either TypeBox's own
 * bookkeeping (`~kind`, `$id`: dropped) or a keyword Kubernetes would reject or ignore (`anyOf`,
 * `const`, `patternProperties`, ...), which fails generation rather than producing a CRD that
 * validates less than `replistore up` does.
 */
const KEPT = new Set([
  "type",
  "description",
  "default",
  "enum",
  "format",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "nullable",
  "required",
  "x-kubernetes-validations",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
  "x-kubernetes-int-or-string",
  "x-kubernetes-embedded-resource",
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A deep copy through JSON: drops TypeBox's non-enumerable and symbol keys and any functions. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/**
 * An object's default with its fields' defaults filled in (`{}` becomes `{policy: Review, ...}`).
 * The apiserver validates a default, CEL rules included, without applying the nested defaults
 * first, and the rules read fields that only defaulting guarantees.
 */
function fullDefault(node: Record<string, unknown>, value: unknown): unknown {
  if (!isRecord(value)) return plain(value);
  return plain(Value.Default(node as TSchema, plain(value)));
}

/**
 * A property with a default is never missing after the apiserver's defaulting, but the apiserver
 * checks each default against its schema *before* applying nested defaults, so `default: {}` on an
 * object whose fields are required (and defaulted) would be refused. Such fields are not required.
 */
function withoutDefaultedRequired(node: JsonSchemaProps): JsonSchemaProps {
  if (!Array.isArray(node.required) || !isRecord(node.properties)) return node;
  const properties = node.properties;
  const required = node.required.filter((name) => {
    const property = properties[String(name)];
    return !(isRecord(property) && "default" in property);
  });
  const { required: _dropped, ...rest } = node;
  return required.length > 0 ? { ...rest, required } : rest;
}

/** One TypeBox node to a structural-schema node; `path` only names the node in errors. */
export function toStructural(node: unknown, path = "<root>"): JsonSchemaProps {
  if (!isRecord(node)) throw new Error(`crd: schema at ${path} is not an object`);
  const out: JsonSchemaProps = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("~") || key.startsWith("$")) continue;
    if (key === "properties") {
      if (!isRecord(value)) throw new Error(`crd: ${path}.properties is not an object`);
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, toStructural(child, `${path}.${name}`)]),
      );
    } else if (key === "items") {
      out.items = toStructural(value, `${path}[]`);
    } else if (key === "additionalProperties") {
      // `false` closes an object for validateManifest; a structural schema may not say it beside
      // `properties`, and the apiserver prunes or (under strict field validation) rejects unknown
      // fields anyway. A schema value describes a map and is kept.
      if (value === false) continue;
      if (value === true) throw new Error(`crd: ${path} allows any properties; use KubernetesObject`);
      out.additionalProperties = toStructural(value, `${path}{}`);
    } else if (key === "default") {
      out.default = fullDefault(node, value);
    } else if (KEPT.has(key)) {
      out[key] = plain(value);
    } else {
      throw new Error(`crd: ${path} uses "${key}", which a structural schema does not allow`);
    }
  }
  if (typeof out.type !== "string") throw new Error(`crd: ${path} has no type`);
  return withoutDefaultedRequired(out);
}

/**
 * The root of a kind's schema: apiVersion and kind as Kubernetes documents them (no enum, so a later
 * version can be served through conversion), metadata reduced to what a CRD may constrain
 * (metadata.name), and `specValidations` (CEL rules) joined to spec.
 */
export function rootSchema(schema: TSchema, specValidations: readonly unknown[] = []): JsonSchemaProps {
  const root = toStructural(schema);
  const properties = isRecord(root.properties) ? root.properties : {};
  const metadata = properties.metadata;
  const name = isRecord(metadata) && isRecord(metadata.properties) ? metadata.properties.name : undefined;
  return {
    type: "object",
    description: root.description,
    properties: {
      apiVersion: {
        type: "string",
        description:
          "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
      },
      kind: {
        type: "string",
        description:
          "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
      },
      // Only `type` and name/generateName are allowed here: the apiserver documents the rest.
      metadata: { type: "object", ...(name ? { properties: { name } } : {}) },
      spec:
        isRecord(properties.spec) && specValidations.length > 0
          ? { ...properties.spec, "x-kubernetes-validations": [...specValidations] }
          : properties.spec,
      status: properties.status,
    },
  };
}

/**
 * The ReplicatedStore's root. The cross-field rules join here, not in the schema, so rules.ts can
 * read the spec's type without the schema importing it back.
 */
export function openApiSchema(): JsonSchemaProps {
  return rootSchema(ReplicatedStore, crdValidations());
}

export const PRINTER_COLUMNS: readonly PrinterColumn[] = [
  { name: "Mode", type: "string", jsonPath: ".spec.mode", description: "Leaderless or MultiLeader." },
  { name: "Replicas", type: "integer", jsonPath: ".spec.replicas", description: "Desired replica pods." },
  { name: "Ready", type: "integer", jsonPath: ".status.readyReplicas", description: "Ready replica pods." },
  {
    name: "Phase",
    type: "string",
    jsonPath: ".status.phase",
    description: "Pending, Progressing, Ready or Degraded.",
  },
  {
    name: "Quorum",
    type: "string",
    jsonPath: ".status.quorum",
    description: "The quorum in force (N/W/R, or leaders and topology).",
  },
  {
    name: "Conflicts",
    type: "integer",
    jsonPath: ".status.conflictsPending",
    description: "Conflicts waiting for review.",
  },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time since creation." },
];

export const CRD_NAME = `${PLURAL}.${GROUP}`;

/** What differs between replistore's CRDs; the rest (group, version, scope, labels) is shared. */
interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  schema: JsonSchemaProps;
  printerColumns: readonly PrinterColumn[];
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
}

function crdFor(def: KindDefinition): CustomResourceDefinition {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${def.plural}.${GROUP}`, labels: { "app.kubernetes.io/part-of": "replistore" } },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: [...def.shortNames],
        categories: ["all"],
      },
      scope: "Namespaced",
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: def.schema },
          subresources: { status: {}, ...(def.scale ? { scale: def.scale } : {}) },
          additionalPrinterColumns: def.printerColumns.map((column) => ({ ...column })),
        },
      ],
    },
  };
}

export function replicatedStoreCrd(): CustomResourceDefinition {
  return crdFor({
    kind: KIND,
    plural: PLURAL,
    singular: SINGULAR,
    shortNames: SHORT_NAMES,
    schema: openApiSchema(),
    printerColumns: PRINTER_COLUMNS,
    // kubectl scale sets spec.replicas through this, so it goes through the same rules
    // (CEL: factor and leaders within replicas) and the same drain as an edit.
    scale: {
      specReplicasPath: ".spec.replicas",
      statusReplicasPath: ".status.replicas",
      labelSelectorPath: ".status.selector",
    },
  });
}

export const BACKUP_CRD_NAME = `${BACKUP_PLURAL}.${GROUP}`;

export const BACKUP_PRINTER_COLUMNS: readonly PrinterColumn[] = [
  { name: "Store", type: "string", jsonPath: ".spec.storeName", description: "The store backed up." },
  {
    name: "Phase",
    type: "string",
    jsonPath: ".status.phase",
    description: "Pending, Running, Completed or Failed.",
  },
  {
    name: "Keys",
    type: "integer",
    jsonPath: ".status.keys",
    description: "Keys with a value in the backup.",
  },
  {
    name: "Size(bytes)",
    type: "integer",
    jsonPath: ".status.bytes",
    description: "Size of the backup's objects.",
  },
  {
    name: "Completed",
    type: "date",
    jsonPath: ".status.completedAt",
    description: "When it completed or failed.",
  },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time since creation." },
];

/**
 * A backup is one run: changing what it backs up or where after the Job started would make its
 * status describe something else, so the spec is fixed once created (make a new one instead).
 */
const BACKUP_SPEC_RULES = [
  {
    rule: "self == oldSelf",
    message: "a backup's spec cannot change: create a new ReplicatedStoreBackup instead",
  },
];

export function replicatedStoreBackupCrd(): CustomResourceDefinition {
  return crdFor({
    kind: BACKUP_KIND,
    plural: BACKUP_PLURAL,
    singular: BACKUP_SINGULAR,
    shortNames: BACKUP_SHORT_NAMES,
    schema: rootSchema(ReplicatedStoreBackup, BACKUP_SPEC_RULES),
    printerColumns: BACKUP_PRINTER_COLUMNS,
  });
}

/** Every CRD replistore ships, in the order they are installed. */
export function allCrds(): CustomResourceDefinition[] {
  return [replicatedStoreCrd(), replicatedStoreBackupCrd()];
}
