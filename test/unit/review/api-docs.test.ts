/** CI's check that docs/api.md is what the OpenAPI document generates: `npm run gen:api-docs`. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { API_DOC_FILE, openApiDocument, renderApiMarkdown } from "../../../src/node/http/openapi-markdown.ts";

describe(API_DOC_FILE, () => {
  it("matches the OpenAPI document the node serves", async () => {
    const committed = readFileSync(
      fileURLToPath(new URL(`../../../${API_DOC_FILE}`, import.meta.url)),
      "utf8",
    );
    if (committed !== renderApiMarkdown(await openApiDocument())) {
      expect.fail(`${API_DOC_FILE} is out of date with the routes: run npm run gen:api-docs and commit it`);
    }
  });
});
