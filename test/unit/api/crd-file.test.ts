/** CI's check that crds/ is what the schema generates: edit src/api, then `npm run gen:crds`. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { replicatedStoreCrd } from "../../../src/api/crd.ts";
import { CRD_FILE, renderCrdYaml } from "../../../src/api/crd-yaml.ts";

const committed = readFileSync(fileURLToPath(new URL(`../../../${CRD_FILE}`, import.meta.url)), "utf8");

describe(CRD_FILE, () => {
  it("matches the schema in src/api", () => {
    if (committed !== renderCrdYaml()) {
      expect.fail(`${CRD_FILE} is out of date with src/api: run npm run gen:crds and commit the result`);
    }
  });

  it("reads back as exactly the generated object", () => {
    expect(load(renderCrdYaml())).toEqual(JSON.parse(JSON.stringify(replicatedStoreCrd())));
  });
});
