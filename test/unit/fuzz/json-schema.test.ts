/** TypeBox schemas as the fuzz run's OpenAPI document carries them (hack/fuzz/json-schema.ts). */
import Type from "typebox";
import { describe, expect, it } from "vitest";
import { internalOpenApi } from "../../../hack/fuzz/internal-openapi.ts";
import { toOpenApiSchema } from "../../../hack/fuzz/json-schema.ts";

describe("toOpenApiSchema", () => {
  it("writes a tuple as a fixed-length array and drops TypeBox's own keys", () => {
    const pair = Type.Tuple([Type.Integer({ minimum: 0 }), Type.Integer({ minimum: 0 })]);
    expect(toOpenApiSchema(pair)).toEqual({
      type: "array",
      items: { type: "integer", minimum: 0 },
      minItems: 2,
      maxItems: 2,
    });
    const mixed = toOpenApiSchema(Type.Tuple([Type.String(), Type.Null()])) as Record<string, unknown>;
    expect(mixed.items).toEqual({ anyOf: [{ type: "string" }, { type: "null" }] });
    expect(JSON.stringify(internalOpenApi("0"))).not.toMatch(/"~|additionalItems|prefixItems/);
  });
});
