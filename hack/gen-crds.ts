/** `npm run gen:crds`: writes the CRDs generated from src/api into crds/ (see src/api/crd-yaml.ts). */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CRD_FILES } from "../src/api/crd-yaml.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
for (const file of CRD_FILES) {
  const target = resolve(root, file.path);
  const text = file.render();
  const before = await readFile(target, "utf8").catch(() => undefined);
  if (before === text) {
    console.log(`gen:crds: ${file.path} is up to date`);
  } else {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
    console.log(`gen:crds: wrote ${file.path}`);
  }
}
