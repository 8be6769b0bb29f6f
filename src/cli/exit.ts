/** How a failed command ends: usage errors exit 2, everything else prints `error: <message>` and exits 1. */
import { CommanderError } from "commander";
import { ApiError } from "../client/api-error.ts";
import { ClusterConfigError } from "../config/load.ts";
import { UserError } from "../errors.ts";

const CLEAN_EXITS = new Set(["commander.helpDisplayed", "commander.version"]);

export function exitCodeFor(err: unknown, stderr: (text: string) => void, debug: boolean): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message.
    return CLEAN_EXITS.has(err.code) ? 0 : 2;
  }
  const expected = err instanceof UserError || err instanceof ApiError || err instanceof ClusterConfigError;
  const message = err instanceof Error ? err.message : String(err);
  stderr(`error: ${message}\n`);
  if (debug && err instanceof Error && err.stack) stderr(`${err.stack}\n`);
  else if (!expected)
    stderr("(this looks like a bug in replistore; set REPLISTORE_DEBUG=1 for a stack trace)\n");
  return 1;
}
