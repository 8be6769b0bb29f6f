/** A node's answers decoded: error bodies as ApiError, JSON bodies, and /v1/status by its one schema. */
import { describe, expect, it } from "vitest";
import { ApiError, apiErrorFrom, describeAnswer } from "../../../src/client/api-error.ts";
import { decodeStatus, jsonOf } from "../../../src/client/decode-answer.ts";
import { BadAnswerError } from "../../../src/client/errors.ts";
import { UserError } from "../../../src/errors.ts";

const answer = (status: number, body: unknown) => ({
  status,
  body: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
});

/** What a Leaderless node's GET /v1/status carries (src/node/http/status-routes.ts). */
const STATUS = {
  node: { id: "s-0", mode: "Leaderless", role: "replica", ready: true },
  store: "orders",
  generation: 3,
  configHash: "abc",
  members: [
    { id: "s-0", url: "http://s-0:7070", self: true, healthy: true, lastSeenMsAgo: null, hintsPending: 0 },
    { id: "s-1", url: "http://s-1:7070", self: false, healthy: false, lastSeenMsAgo: 1200, hintsPending: 4 },
  ],
  replication: { factor: 3, writeQuorum: 2, readQuorum: 2, consistency: "Strong" },
  clock: { now: "1700000000000:0:s-0", maxOffsetMs: 500, peers: { "s-1": -3 } },
  hints: { pending: 4, bytes: 80, windowMs: 10_800_000, maxBytes: 1e9 },
  storage: { keys: 10, bytes: 100 },
  handoff: {
    state: "done",
    reason: "drain",
    leaving: ["s-2"],
    scanned: 10,
    handedOff: 10,
    failed: 0,
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:00:01.000Z",
  },
};

describe("apiErrorFrom", () => {
  it("takes the code and message of a node's JSON error", () => {
    const err = apiErrorFrom(answer(503, { error: "quorum_unavailable", message: "reached 1 of 2" }), "n-0");
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 503, code: "quorum_unavailable", message: "reached 1 of 2" });
  });

  it("keeps the status and the start of any other body, naming where it came from", () => {
    expect(apiErrorFrom(answer(502, "bad gateway"), "pod s-1")).toMatchObject({
      code: "http_502",
      message: "HTTP 502 from pod s-1: bad gateway",
    });
  });

  it("says an answer in one line for logs and conditions", () => {
    expect(describeAnswer(answer(409, { error: "drain_running", message: "wait" }))).toBe(
      "drain_running: wait",
    );
    expect(describeAnswer(answer(500, "boom"))).toBe("HTTP 500: boom");
  });
});

describe("decoding answers", () => {
  it("a body that is not JSON is a bad answer, which the CLI prints as it is", () => {
    const decode = () => jsonOf(answer(200, "<html>"), "http://x");
    expect(decode).toThrow(BadAnswerError);
    expect(decode).toThrow(UserError);
    expect(decode).toThrow("http://x answered HTTP 200 with a body that is not JSON");
  });

  it("reads a node's /v1/status, typed, with fields it does not know kept", () => {
    const status = decodeStatus(answer(200, { ...STATUS, future: 1 }), "s-0");
    expect(status.members.map((m) => m.id)).toEqual(["s-0", "s-1"]);
    expect(status.handoff?.state).toBe("done");
    expect((status as Record<string, unknown>).future).toBe(1);
  });

  it("names the field when a status is not what a node sends", () => {
    const broken = { ...STATUS, members: [{ ...STATUS.members[0], id: 7 }] };
    expect(() => decodeStatus(answer(200, broken), "s-0")).toThrow(
      /^s-0 answered a \/v1\/status .*members\[0\]\.id/,
    );
  });
});
