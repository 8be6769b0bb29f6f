/**
 * `npm run chart:package`: a versioned archive helm installs from (its image defaulting to the
 * chart's appVersion), and an OCI image layout whose blobs are what their digests say and whose
 * one chart layer is that archive.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helmBinary } from "../../../hack/chart/generate.ts";
import {
  HELM_CHART_MEDIA_TYPE,
  HELM_CONFIG_MEDIA_TYPE,
  type PackagedChart,
  packageChart,
} from "../../../hack/chart/package.ts";
import pkg from "../../../package.json" with { type: "json" };

const run = promisify(execFile);
let out: string;
let packaged: PackagedChart;
const lines: string[] = [];

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

async function blob(descriptor: Descriptor): Promise<Buffer> {
  const data = await readFile(
    join(packaged.layout, "blobs", "sha256", descriptor.digest.slice("sha256:".length)),
  );
  expect(`sha256:${createHash("sha256").update(data).digest("hex")}`).toBe(descriptor.digest);
  expect(data.length).toBe(descriptor.size);
  return data;
}

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "replistore-chart-package-"));
  packaged = await packageChart(out, (line) => lines.push(line));
});

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe("npm run chart:package", () => {
  it("writes replistore-<version>.tgz, versioned like package.json, and says where", async () => {
    expect(packaged.version).toBe(pkg.version);
    expect(packaged.archive).toBe(join(out, `replistore-${pkg.version}.tgz`));
    expect(lines.join("\n")).toContain(packaged.archive);
    const { stdout } = await run(helmBinary(false), ["show", "chart", packaged.archive]);
    expect(stdout).toContain(`version: ${pkg.version}`);
    expect(stdout).toContain(`appVersion: ${pkg.version}`);
  });

  it("renders from the archive with the image tagged by the chart's appVersion", async () => {
    const { stdout } = await run(
      helmBinary(false),
      ["template", "r", packaged.archive, "-n", "replistore-system"],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    expect(stdout).toContain(`image: "replistore:${pkg.version}"`);
  });

  it("lays the same archive out as an OCI image, as helm push stores a chart", async () => {
    const layout = JSON.parse(await readFile(join(packaged.layout, "oci-layout"), "utf8")) as Record<
      string,
      string
    >;
    expect(layout).toEqual({ imageLayoutVersion: "1.0.0" });
    const index = JSON.parse(await readFile(join(packaged.layout, "index.json"), "utf8")) as {
      manifests: Descriptor[];
    };
    expect(index.manifests).toHaveLength(1);
    const entry = index.manifests[0] as Descriptor;
    expect(entry.digest).toBe(packaged.manifestDigest);
    expect(entry.annotations?.["org.opencontainers.image.ref.name"]).toBe(pkg.version);
    const manifest = JSON.parse((await blob(entry)).toString("utf8")) as {
      config: Descriptor;
      layers: Descriptor[];
    };
    expect(manifest.config.mediaType).toBe(HELM_CONFIG_MEDIA_TYPE);
    const config = JSON.parse((await blob(manifest.config)).toString("utf8")) as Record<string, string>;
    expect(config).toMatchObject({ name: "replistore", version: pkg.version, appVersion: pkg.version });
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([HELM_CHART_MEDIA_TYPE]);
    const layer = await blob(manifest.layers[0] as Descriptor);
    expect(layer.equals(await readFile(packaged.archive))).toBe(true);
  });
});
