/** The test harness itself: the cuttable proxy, eventually(), the metrics parser. No node needed. */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, freePort, metricValue, parseMetrics, send, TcpProxy } from "../support/index.ts";

describe("TcpProxy", () => {
  let server: Server;
  let proxy: TcpProxy;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    server = createServer((req, res) => {
      if (req.url === "/hang") return; // never answers: a request in flight when the link is cut
      res.end("pong");
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    proxy = new TcpProxy(await freePort(), port);
    await proxy.start();
    url = `http://127.0.0.1:${proxy.listenPort}`;
  });

  afterAll(async () => {
    await proxy.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("forwards requests to the target", async () => {
    const reply = await send(url, "GET", "/ping");
    expect(reply.status).toBe(200);
    expect(reply.text).toBe("pong");
  });

  it("partition() cuts an open connection mid-request and refuses new ones; heal() restores", async () => {
    const inFlight = send(url, "GET", "/hang", { timeoutMs: 10_000 });
    await eventually(() => proxy.openConnections > 0, { what: "connection through the proxy" });
    proxy.partition();
    await expect(inFlight).rejects.toThrow();
    await expect(send(url, "GET", "/ping", { timeoutMs: 5_000 })).rejects.toThrow();
    proxy.heal();
    const reply = await send(url, "GET", "/ping");
    expect(reply.text).toBe("pong");
  });
});

describe("eventually", () => {
  it("retries until the condition holds", async () => {
    let calls = 0;
    const result = await eventually(
      () => {
        calls++;
        if (calls < 3) throw new Error("not yet");
        return calls;
      },
      { intervalMs: 1 },
    );
    expect(result).toBe(3);
  });

  it("throws the last failure after the deadline", async () => {
    await expect(eventually(() => false, { timeoutMs: 50, intervalMs: 5, what: "never" })).rejects.toThrow(
      /never.*50 ms/,
    );
  });
});

describe("parseMetrics", () => {
  it("reads names, labels and values, and sums by label subset", () => {
    const samples = parseMetrics(
      [
        "# HELP replistore_requests_total requests",
        "# TYPE replistore_requests_total counter",
        'replistore_requests_total{op="put",outcome="ok"} 3',
        'replistore_requests_total{op="get",outcome="ok"} 4',
        'replistore_requests_total{op="put",outcome="quorum_unavailable"} 1',
        "replistore_keys 12",
        'replistore_clock_offset_seconds{peer="node-2"} 5.01',
      ].join("\n"),
    );
    expect(metricValue(samples, "replistore_requests_total")).toBe(8);
    expect(metricValue(samples, "replistore_requests_total", { op: "put" })).toBe(4);
    expect(metricValue(samples, "replistore_keys")).toBe(12);
    expect(metricValue(samples, "replistore_clock_offset_seconds", { peer: "node-2" })).toBeCloseTo(5.01);
    expect(metricValue(samples, "replistore_missing")).toBeUndefined();
  });
});
