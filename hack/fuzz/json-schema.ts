/**
 * A TypeBox schema as OpenAPI 3.1 (JSON Schema 2020-12) wants it: without the bookkeeping keys
 * (`~kind`) no validator knows, and with tuples that schemathesis can read. TypeBox writes a tuple
 * the draft-07 way (`items: [...]`); 2020-12's `prefixItems` is what fits, but schemathesis 4.32
 * rewrites it back to `items: [...]` and then refuses its own result as an invalid schema object.
 * So a tuple becomes a fixed-length array whose items match one of its element schemas: exact when
 * the elements share one schema (ClockPair, the only tuple in the JSON peer routes), weaker otherwise.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function toOpenApiSchema(schema: unknown): Json {
  if (Array.isArray(schema)) return schema.map(toOpenApiSchema);
  if (typeof schema !== "object" || schema === null) return schema as Json;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith("~") || key === "additionalItems") continue;
    if (key === "items" && Array.isArray(value)) {
      const elements = [
        ...new Map(value.map((v) => [JSON.stringify(toOpenApiSchema(v)), toOpenApiSchema(v)])).values(),
      ];
      out.items = elements.length === 1 ? elements[0]! : { anyOf: elements };
      out.minItems = value.length;
      out.maxItems = value.length;
      continue;
    }
    out[key] = toOpenApiSchema(value);
  }
  return out;
}
