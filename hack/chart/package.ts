/**
 * `npm run chart:package [-- --out dir]`: the chart as a versioned archive (`helm package`:
 * replistore-<version>.tgz, version and appVersion from Chart.yaml, which a unit test keeps equal to
 * package.json) and as an OCI image layout (<out>/oci: oci-layout, index.json, blobs/sha256/...)
 * holding the same archive the way `helm push` stores a chart in a registry, so it can be copied to
 * one without helm or network here, e.g. `oras cp --from-oci-layout dist/charts/oci:0.1.0
 * registry.example.com/charts/replistore:0.1.0`, then `helm install oci://registry.example.com/charts/replistore`.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { load } from "js-yaml";
import { helmBinary } from "./generate.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHART_DIR = join(ROOT, "charts/replistore");

export const HELM_CONFIG_MEDIA_TYPE = "application/vnd.cncf.helm.config.v1+json";
export const HELM_CHART_MEDIA_TYPE = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
const MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";

interface ChartMeta {
  apiVersion: string;
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  [key: string]: unknown;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface PackagedChart {
  archive: string;
  layout: string;
  version: string;
  manifestDigest: string;
}

const sha256 = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

async function putBlob(layout: string, mediaType: string, data: Buffer): Promise<Descriptor> {
  const digest = sha256(data);
  await writeFile(join(layout, "blobs", "sha256", digest.slice("sha256:".length)), data);
  return { mediaType, digest, size: data.length };
}

export async function packageChart(out: string, log: (line: string) => void): Promise<PackagedChart> {
  const chart = load(await readFile(join(CHART_DIR, "Chart.yaml"), "utf8")) as ChartMeta;
  await mkdir(out, { recursive: true });
  log(
    `chart:package: helm package charts/replistore (version ${chart.version}, appVersion ${chart.appVersion})`,
  );
  execFileSync(helmBinary(), ["package", CHART_DIR, "--destination", out], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const archive = join(out, `${chart.name}-${chart.version}.tgz`);
  const layout = join(out, "oci");
  await rm(layout, { recursive: true, force: true });
  await mkdir(join(layout, "blobs", "sha256"), { recursive: true });
  // What helm push stores as the config: the chart's metadata as JSON.
  const config = await putBlob(layout, HELM_CONFIG_MEDIA_TYPE, Buffer.from(JSON.stringify(chart)));
  const content = await putBlob(layout, HELM_CHART_MEDIA_TYPE, await readFile(archive));
  const manifest = {
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    config,
    layers: [content],
    annotations: {
      "org.opencontainers.image.title": chart.name,
      "org.opencontainers.image.version": chart.version,
      ...(chart.description ? { "org.opencontainers.image.description": chart.description } : {}),
    },
  };
  const manifestBlob = await putBlob(layout, MANIFEST_MEDIA_TYPE, Buffer.from(JSON.stringify(manifest)));
  await writeFile(join(layout, "oci-layout"), `${JSON.stringify({ imageLayoutVersion: "1.0.0" })}\n`);
  const index = {
    schemaVersion: 2,
    manifests: [{ ...manifestBlob, annotations: { "org.opencontainers.image.ref.name": chart.version } }],
  };
  await writeFile(join(layout, "index.json"), `${JSON.stringify(index, null, 2)}\n`);
  log(`chart:package: ${archive}`);
  log(`chart:package: ${layout} (OCI image layout, tag ${chart.version}, manifest ${manifestBlob.digest})`);
  return { archive, layout, version: chart.version, manifestDigest: manifestBlob.digest };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--out");
  const out = resolve(at >= 0 ? (process.argv[at + 1] ?? "dist/charts") : join(ROOT, "dist/charts"));
  await packageChart(out, (line) => console.log(line));
}
