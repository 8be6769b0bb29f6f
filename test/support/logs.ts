import { readFileSync } from "node:fs";

/** The last `lines` lines of a log file ("" if it does not exist yet). */
export function tailFile(path: string, lines = 40): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return "";
  }
  const all = text.trimEnd().split("\n");
  return all.slice(-lines).join("\n");
}
