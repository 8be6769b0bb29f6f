/**
 * What `replistore conflicts resolve` says when the node refused a resolution for lack of owners
 * (503 resolve_refused or resolve_incomplete): whether anything was written, which nodes are down,
 * that the conflict is still pending, and what to run next.
 */

/** The answer's bytes, as both the CLI's and the kubectl plugin's calls return them. */
interface Answer {
  readonly body: Buffer;
}

interface RefusalBody {
  error: "resolve_refused" | "resolve_incomplete";
  needed?: number;
  reached?: number;
  down?: Array<{ node: string; reason?: string }>;
  ownersReached?: string[];
}

function refusalBody(res: Answer): RefusalBody | undefined {
  try {
    const body: unknown = JSON.parse(res.body.toString("utf8"));
    if (typeof body !== "object" || body === null) return undefined;
    const { error } = body as { error?: unknown };
    return error === "resolve_refused" || error === "resolve_incomplete" ? (body as RefusalBody) : undefined;
  } catch {
    return undefined;
  }
}

/** The sentences to print for such a refusal; undefined for any other answer. */
export function refusalMessage(id: string, res: Answer): string | undefined {
  const body = refusalBody(res);
  if (!body) return undefined;
  const counts = `${body.reached ?? "?"} of the ${body.needed ?? "?"} owners the write needs`;
  if (body.error === "resolve_refused") {
    const down = (body.down ?? []).map((d) => d.node).join(", ") || "unknown";
    return [
      `conflict ${id} not resolved, and nothing was written: only ${counts} answer (down: ${down}).`,
      "The conflict is still pending.",
      `Bring ${down} back (check their pods or processes), then run the same command again.`,
    ].join("\n");
  }
  const stored = (body.ownersReached ?? []).join(", ") || "none";
  return [
    `conflict ${id} not resolved: an owner went down while the new version was written; it reached ${counts} (stored on: ${stored}).`,
    "No new partial-write record was made and the conflict is still pending.",
    "Run the same command again once the owners are up: it writes a newer version that replaces this one.",
  ].join("\n");
}
