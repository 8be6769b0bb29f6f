/**
 * Turns TypeBox's JSON-Schema errors into one plain sentence per problem, each naming the field as a
 * user writes it (`spec.replication.writeQuorum`, `spec.scheduling.tolerations[0]`), with the value
 * that was given and, for patterns, what a valid value looks like.
 */
import type { TSchema } from "typebox";
import { Settings } from "typebox/system";
import Value from "typebox/value";
import { DURATION_HINT, DURATION_PATTERN } from "./duration.ts";
import { LABEL_VALUE_PATTERN, RESOURCE_QUANTITY_PATTERN } from "./pod-types.ts";
import { QUANTITY_HINT, QUANTITY_PATTERN } from "./quantity.ts";
import { CRON_PATTERN, DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN } from "./schema-types.ts";
import { closest } from "./suggest.ts";

type JsonSchema = Readonly<Record<string, unknown>>;

const PATTERN_HINTS: Readonly<Record<string, string>> = {
  [DURATION_PATTERN]: DURATION_HINT,
  [QUANTITY_PATTERN]: QUANTITY_HINT,
  [DNS_LABEL_PATTERN]:
    "a lowercase DNS label: letters, digits and '-', starting with a letter and ending with a letter or digit",
  [DNS_SUBDOMAIN_PATTERN]: "a lowercase DNS name, such as a Kubernetes Secret name",
  [CRON_PATTERN]: 'a cron schedule of 5 fields, e.g. "*/15 * * * *", or @hourly / @daily',
  [RESOURCE_QUANTITY_PATTERN]: 'a Kubernetes quantity such as "500m", "2", "512Mi" or "1Gi"',
  [LABEL_VALUE_PATTERN]:
    "a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
};

const TYPE_NAMES: Readonly<Record<string, string>> = {
  integer: "a whole number",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  null: "null",
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function decodePointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** `spec.scheduling.tolerations[0].key`; keys that are not identifiers are quoted. */
export function formatPath(root: string, segments: readonly string[]): string {
  let out = root;
  for (const segment of segments) {
    if (/^[0-9]+$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === "" ? "(top level)" : out;
}

function schemaAt(schema: JsonSchema, segments: readonly string[]): JsonSchema | undefined {
  let current: JsonSchema | undefined = schema;
  for (const segment of segments) {
    if (current === undefined) return undefined;
    const properties: unknown = current.properties;
    if (isRecord(properties) && isRecord(properties[segment])) {
      current = properties[segment];
    } else if (isRecord(current.items)) {
      current = current.items;
    } else if (isRecord(current.additionalProperties)) {
      current = current.additionalProperties;
    } else {
      return undefined;
    }
  }
  return current;
}

function valueAt(value: unknown, segments: readonly string[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isRecord(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(
  keyword: string,
  params: Record<string, unknown>,
  schema: JsonSchema | undefined,
  got: unknown,
) {
  const suffix = ` (got ${shown(got)})`;
  switch (keyword) {
    case "type": {
      const expected = String(schema?.type ?? params.type);
      return `must be ${TYPE_NAMES[expected] ?? expected}${suffix}`;
    }
    case "enum": {
      const allowed = Array.isArray(schema?.enum) ? schema.enum.map(String) : [];
      const hint = typeof got === "string" ? closest(got, allowed) : undefined;
      return `must be one of ${allowed.join(", ")}${suffix}${hint ? `; did you mean ${hint}?` : ""}`;
    }
    case "const":
      return `must be ${shown(schema?.const)}${suffix}`;
    case "pattern": {
      const pattern = String(schema?.pattern ?? params.pattern);
      return `must be ${PATTERN_HINTS[pattern] ?? `text matching ${pattern}`}${suffix}`;
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `must be ${String(params.comparison)} ${String(params.limit)}${suffix}`;
    case "minLength":
      return params.limit === 1
        ? "must not be empty"
        : `must have at least ${String(params.limit)} characters`;
    case "maxLength":
      return `must have at most ${String(params.limit)} characters (got ${typeof got === "string" ? got.length : "?"})`;
    default:
      return undefined;
  }
}

/** A user fixing a manifest wants every problem at once, not TypeBox's default first 8. */
const MAX_ERRORS = 100;

function collectErrors(schema: TSchema, value: unknown) {
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: MAX_ERRORS });
  try {
    return Value.Errors(schema, value);
  } finally {
    Settings.Set({ maxErrors: previous });
  }
}

/**
 * One message per problem, as `<path>: <what is wrong>`. `root` prefixes every path, e.g. "" for a
 * manifest or a file name's field prefix.
 */
export function describeSchemaErrors(schema: TSchema, value: unknown, root = ""): string[] {
  const rootSchema: JsonSchema = { ...schema };
  const messages: string[] = [];
  const seenPaths = new Set<string>();
  const add = (path: string, text: string) => {
    if (seenPaths.has(path)) return;
    seenPaths.add(path);
    messages.push(`${path}: ${text}`);
  };
  for (const error of collectErrors(schema, value)) {
    const segments = decodePointer(error.instancePath);
    const params: Record<string, unknown> = isRecord(error.params) ? error.params : {};
    const here = schemaAt(rootSchema, segments);
    if (error.keyword === "required") {
      const missing = Array.isArray(params.requiredProperties) ? params.requiredProperties.map(String) : [];
      for (const name of missing) add(formatPath(root, [...segments, name]), "required");
    } else if (error.keyword === "additionalProperties") {
      // Only objects closed with `false` have unknown fields; maps report the bad value itself.
      if (here?.additionalProperties !== false) continue;
      const known = isRecord(here.properties) ? Object.keys(here.properties) : [];
      const extra = Array.isArray(params.additionalProperties) ? params.additionalProperties.map(String) : [];
      for (const name of extra) {
        const hint = closest(name, known);
        const advice = hint ? `did you mean ${hint}?` : `known fields: ${known.join(", ")}`;
        add(formatPath(root, [...segments, name]), `unknown field; ${advice}`);
      }
    } else if (error.keyword === "boolean") {
      // `additionalProperties: false` also fails as a false sub-schema; reported above.
    } else {
      const text = describe(error.keyword, params, here, valueAt(value, segments)) ?? error.message;
      add(formatPath(root, segments), text);
    }
  }
  return messages;
}
