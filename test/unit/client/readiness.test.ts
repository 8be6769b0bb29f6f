/** Waiting for a node's /readyz: true once it answers 200, false at the deadline. */
import { afterEach, describe, expect, it } from "vitest";
import { waitUntilReady } from "../../../src/client/readiness.ts";
import { Servers } from "./servers.ts";

const servers = new Servers();
afterEach(() => servers.closeAll());

describe("waitUntilReady", () => {
  it("polls until /readyz answers 200", async () => {
    let asked = 0;
    const url = await servers.serve((req, _body, res) => {
      asked++;
      res.statusCode = req.url === "/readyz" && asked >= 3 ? 200 : 503;
      res.end();
    });
    expect(await waitUntilReady(url, Date.now() + 5_000)).toBe(true);
    expect(asked).toBe(3);
  });

  it("gives up at the deadline when nothing listens", async () => {
    const url = await servers.closedUrl();
    const started = Date.now();
    expect(await waitUntilReady(url, started + 300)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("stops when aborted", async () => {
    const url = await servers.closedUrl();
    const abort = new AbortController();
    abort.abort();
    expect(await waitUntilReady(url, Date.now() + 5_000, abort.signal)).toBe(false);
  });
});
