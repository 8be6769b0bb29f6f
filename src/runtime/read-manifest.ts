/** Reads a ReplicatedStore YAML file for `replistore up`; every error names the file (and line or field). */
import { readFileSync } from "node:fs";
import { loadAll, YAMLException } from "js-yaml";
import { KIND } from "../api/names.ts";
import type { ReplicatedStore } from "../api/replicated-store.ts";
import { validateManifest } from "../api/validate.ts";
import { UserError } from "../errors.ts";

export interface LoadedManifest {
  manifest: ReplicatedStore;
  warnings: string[];
}

function yamlError(file: string, err: YAMLException): UserError {
  const where = err.mark ? `${file}:${err.mark.line + 1}:${err.mark.column + 1}` : file;
  const snippet = err.mark?.snippet ? `\n${err.mark.snippet}` : "";
  return new UserError(`${where}: invalid YAML: ${err.reason}${snippet}`);
}

function isKind(doc: unknown): boolean {
  return typeof doc === "object" && doc !== null && (doc as { kind?: unknown }).kind === KIND;
}

/** Picks the one ReplicatedStore, so a file that also holds e.g. a Secret still works. */
function pickDocument(file: string, docs: unknown[]): { doc: unknown; label: string } {
  const present = docs.filter((d) => d !== null && d !== undefined);
  if (present.length === 0) throw new UserError(`${file}: no manifest in the file (it is empty)`);
  if (present.length === 1) return { doc: present[0], label: file };
  const stores = present.filter(isKind);
  const store = stores[0];
  if (stores.length !== 1 || store === undefined) {
    throw new UserError(
      `${file}: holds ${present.length} YAML documents and ${stores.length} of kind ${KIND}; expected exactly one ${KIND}`,
    );
  }
  return { doc: store, label: `${file} (document ${present.indexOf(store) + 1})` };
}

export function parseManifestText(text: string, file: string): LoadedManifest {
  let docs: unknown[];
  try {
    docs = loadAll(text, { filename: file });
  } catch (err) {
    if (err instanceof YAMLException) throw yamlError(file, err);
    throw new UserError(`${file}: invalid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { doc, label } = pickDocument(file, docs);
  const result = validateManifest(doc);
  if (!result.ok) {
    const lines = result.errors.map((e) => `  ${e}`).join("\n");
    throw new UserError(`${label}: invalid ${KIND}:\n${lines}`);
  }
  return { manifest: result.manifest, warnings: result.warnings };
}

export function readManifestFile(file: string): LoadedManifest {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = err instanceof Error && "code" in err ? String(err.code) : "";
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code || String(err);
    throw new UserError(`cannot read ${file}: ${reason}`);
  }
  return parseManifestText(text, file);
}
