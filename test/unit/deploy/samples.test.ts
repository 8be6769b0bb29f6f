/**
 * deploy/samples/: each file is one ReplicatedStore that `replistore up` and the operator accept
 * without a warning (the validation both run, src/api/validate.ts), and together they show every
 * mode and topology and a store with auth. test/integration/chart/ also sends each one to the real
 * apiserver, whose CRD enforces the same rules in CEL.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../../hack/chart/generate.ts";
import { parseManifestText } from "../../../src/runtime/read-manifest.ts";

const DIR = join(ROOT, "deploy/samples");
const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

describe("deploy/samples", () => {
  it.each(files)("%s is a valid ReplicatedStore with no warning", (file) => {
    const { manifest, warnings } = parseManifestText(readFileSync(join(DIR, file), "utf8"), file);
    expect(warnings).toEqual([]);
    expect(manifest.kind).toBe("ReplicatedStore");
  });

  it("cover leaderless, each multi-leader topology and auth, each store with its own name", () => {
    const specs = files.map((file) => {
      const { manifest } = parseManifestText(readFileSync(join(DIR, file), "utf8"), file);
      return { file, name: manifest.metadata.name, spec: manifest.spec };
    });
    const shown = new Set(
      specs.map(({ spec }) =>
        spec.mode === "MultiLeader" ? `MultiLeader/${spec.multiLeader?.topology}` : spec.mode,
      ),
    );
    expect([...shown].sort()).toEqual([
      "Leaderless",
      "MultiLeader/AllToAll",
      "MultiLeader/Circle",
      "MultiLeader/Star",
    ]);
    expect(specs.filter(({ spec }) => spec.auth?.secretName).map((s) => s.file)).toEqual(["auth.yaml"]);
    expect(new Set(specs.map((s) => s.name)).size).toBe(specs.length);
  });
});
