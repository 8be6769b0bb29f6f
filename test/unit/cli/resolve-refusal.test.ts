import { describe, expect, it } from "vitest";
import { refusalMessage } from "../../../src/cli/resolve-refusal.ts";

const answer = (body: unknown) => ({ body: Buffer.from(JSON.stringify(body)) });

describe("the CLI's words for a refused resolution", () => {
  it("resolve_refused: nothing written, the down nodes, still pending, run it again once they are back", () => {
    const text = refusalMessage(
      "c1",
      answer({
        error: "resolve_refused",
        message: "m",
        needed: 2,
        reached: 1,
        written: false,
        down: [
          { node: "n-1", reason: "connection refused" },
          { node: "n-2", reason: "marked down" },
        ],
      }),
    );
    expect(text).toBe(
      [
        "conflict c1 not resolved, and nothing was written: only 1 of the 2 owners the write needs answer (down: n-1, n-2).",
        "The conflict is still pending.",
        "Bring n-1, n-2 back (check their pods or processes), then run the same command again.",
      ].join("\n"),
    );
  });

  it("resolve_incomplete: where the value stayed, no new record, still pending", () => {
    const text = refusalMessage(
      "c1",
      answer({ error: "resolve_incomplete", message: "m", needed: 2, reached: 1, ownersReached: ["n-0"] }),
    );
    expect(text).toContain("reached 1 of the 2 owners the write needs (stored on: n-0)");
    expect(text).toContain("No new partial-write record was made and the conflict is still pending.");
  });

  it("leaves every other answer to the node's own message", () => {
    expect(refusalMessage("c1", answer({ error: "quorum_unavailable", message: "m" }))).toBeUndefined();
    expect(refusalMessage("c1", { body: Buffer.from("<html>") })).toBeUndefined();
  });
});
