/**
 * `npm run plugin:package`: the kubectl plugin as a krew archive and manifest, in dist/krew/:
 *   kubectl-replistore-VERSION-OS-ARCH.tar.gz   bin/ (the shim), src/, package.json and the
 *                                                production node_modules (installed for this
 *                                                machine's OS and arch: lmdb is native)
 *   kubectl-replistore-VERSION-OS-ARCH.tar.gz.sha256
 *   replistore.yaml                              the krew manifest (krew-manifest.ts)
 * The archive's URI in the manifest is --base-url (or REPLISTORE_PLUGIN_BASE_URL) plus its name;
 * without one, a file:// URI, for `kubectl krew install --manifest=dist/krew/replistore.yaml
 * --archive=dist/krew/kubectl-replistore-...tar.gz`. The plugin needs Node.js 24 (the caveats say so).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { create } from "tar";
import pkg from "../../package.json" with { type: "json" };
import { krewArch, krewManifest } from "./krew-manifest.ts";

const root = resolve(import.meta.dirname, "../..");
const { values } = parseArgs({
  options: {
    "base-url": { type: "string" },
    out: { type: "string", default: join(root, "dist", "krew") },
    homepage: { type: "string" },
  },
});
const baseUrl = values["base-url"] ?? process.env.REPLISTORE_PLUGIN_BASE_URL;
const out = resolve(values.out ?? "");
const os = process.platform;
const arch = krewArch(process.arch);
const name = `kubectl-replistore-${pkg.version}-${os}-${arch}`;
const archive = join(out, `${name}.tar.gz`);

const stage = await mkdtemp(join(tmpdir(), "replistore-plugin-"));
try {
  const top = join(stage, name);
  await mkdir(top, { recursive: true });
  for (const part of ["bin", "src", "package.json", "package-lock.json", "LICENSE", "README.md"]) {
    await cp(join(root, part), join(top, part), { recursive: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
    });
  }
  console.log(`installing production dependencies for ${os}/${arch} ...`);
  execFileSync("npm", ["ci", "--omit=dev", "--no-audit", "--no-fund"], { cwd: top, stdio: "inherit" });
  await mkdir(out, { recursive: true });
  await create({ gzip: true, file: archive, cwd: stage, portable: true }, [name]);
} finally {
  await rm(stage, { recursive: true, force: true });
}

const sha256 = createHash("sha256")
  .update(await readFile(archive))
  .digest("hex");
await writeFile(`${archive}.sha256`, `${sha256}  ${name}.tar.gz\n`);
const uri = baseUrl ? `${baseUrl.replace(/\/+$/, "")}/${name}.tar.gz` : `file://${archive}`;
const manifest = join(out, "replistore.yaml");
await writeFile(
  manifest,
  krewManifest({
    version: pkg.version,
    ...(values.homepage ? { homepage: values.homepage } : {}),
    platforms: [{ os, arch, uri, sha256 }],
  }),
);
console.log(`wrote ${archive} (sha256 ${sha256})`);
console.log(`wrote ${manifest}`);
if (!baseUrl) {
  console.log(
    `no --base-url: the manifest points at the local file; install it with\n  kubectl krew install --manifest=${manifest} --archive=${archive}`,
  );
}
