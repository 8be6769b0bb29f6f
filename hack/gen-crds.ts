/** `npm run gen:crds`: writes the CRD generated from src/api into crds/ (see src/api/crd-yaml.ts). */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CRD_FILE, renderCrdYaml } from "../src/api/crd-yaml.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const target = resolve(root, CRD_FILE);
const text = renderCrdYaml();
const before = await readFile(target, "utf8").catch(() => undefined);
if (before === text) {
  console.log(`gen:crds: ${CRD_FILE} is up to date`);
} else {
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, text);
  console.log(`gen:crds: wrote ${CRD_FILE}`);
}
