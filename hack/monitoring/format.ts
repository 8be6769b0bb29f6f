/** Formats generated files with the repository's biome, so that `biome ci` accepts them as written. */
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { GeneratedFile } from "../../src/monitoring/files.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BIOME = resolve(ROOT, "node_modules/.bin/biome");

export function formatted(file: GeneratedFile): GeneratedFile {
  const result = spawnSync(BIOME, ["format", `--stdin-file-path=${file.path}`], {
    cwd: ROOT,
    input: file.text,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`biome format ${file.path} failed (${result.status}): ${result.stderr}${result.stdout}`);
  }
  return { path: file.path, text: result.stdout };
}
