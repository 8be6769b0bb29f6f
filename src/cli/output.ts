/** Structured output for `-o json|yaml`; the text form is each command's own. */
import { dump } from "js-yaml";
import type { OutputFormat } from "./options.ts";

export function formatStructured(value: unknown, format: Exclude<OutputFormat, "text">): string {
  return format === "json"
    ? `${JSON.stringify(value, null, 2)}\n`
    : dump(value, { noRefs: true, lineWidth: -1 });
}

export function writeOut(text: string): void {
  process.stdout.write(text);
}
