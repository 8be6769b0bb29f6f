/** `npm run gen:docs`: writes docs/manifest-reference.md from the manifest schema (see src/api/reference-doc.ts). */
import { readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { REFERENCE_FILE, renderReference } from "../src/api/reference-doc.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const target = resolve(root, REFERENCE_FILE);
const text = renderReference();
const before = await readFile(target, "utf8").catch(() => undefined);
if (before === text) {
  console.log(`gen:docs: ${REFERENCE_FILE} is up to date`);
} else {
  await writeFile(target, text);
  console.log(`gen:docs: wrote ${REFERENCE_FILE}`);
}
