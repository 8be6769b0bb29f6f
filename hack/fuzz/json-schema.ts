/**
 * A TypeBox schema as OpenAPI 3.1 (JSON Schema 2020-12) wants it. TypeBox writes tuples the draft-07
 * way (`items: [...]`, `additionalItems: false`), which 2020-12 reads as something else, and keeps
 * bookkeeping keys (`~kind`) no validator knows.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function toOpenApiSchema(schema: unknown): Json {
  if (Array.isArray(schema)) return schema.map(toOpenApiSchema);
  if (typeof schema !== "object" || schema === null) return schema as Json;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith("~")) continue;
    if (key === "items" && Array.isArray(value)) {
      out.prefixItems = value.map(toOpenApiSchema);
      continue;
    }
    if (key === "additionalItems") {
      out.items = toOpenApiSchema(value);
      continue;
    }
    out[key] = toOpenApiSchema(value);
  }
  return out;
}
