/** CI's check that crds/ is what the schemas generate: edit src/api, then `npm run gen:crds`. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { load, loadAll } from "js-yaml";
import { describe, expect, it } from "vitest";
import { allCrds } from "../../../src/api/crd.ts";
import { CRD_FILES, renderAllCrdsYaml } from "../../../src/api/crd-yaml.ts";

describe.each(CRD_FILES.map((file, i) => ({ ...file, index: i })))("$path", ({ path, render, index }) => {
  const committed = readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), "utf8");

  it("matches the schema in src/api", () => {
    if (committed !== render()) {
      expect.fail(`${path} is out of date with src/api: run npm run gen:crds and commit the result`);
    }
  });

  it("reads back as exactly the generated object", () => {
    expect(load(render())).toEqual(JSON.parse(JSON.stringify(allCrds()[index])));
  });
});

describe("every CRD", () => {
  it("has a committed file, and `crd print` writes them all", () => {
    expect(CRD_FILES.map((f) => f.name)).toEqual(allCrds().map((c) => c.metadata.name));
    const printed = loadAll(renderAllCrdsYaml()).filter((doc) => doc !== null && doc !== undefined);
    expect(printed).toEqual(JSON.parse(JSON.stringify(allCrds())));
  });
});
