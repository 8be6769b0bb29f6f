/** The operator pod's HTTP endpoints: /metrics, /healthz (the process serves) and /readyz (caches synced). */
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

export interface HealthSources {
  registry: Registry;
  ready: () => boolean;
}

export async function startHealthServer(host: string, port: number, sources: HealthSources): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405, { Allow: "GET" }).end();
    } else if (path === "/healthz") {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok\n");
    } else if (path === "/readyz") {
      const ready = sources.ready();
      res
        .writeHead(ready ? 200 : 503, { "Content-Type": "text/plain" })
        .end(ready ? "ok\n" : "caches not synced\n");
    } else if (path === "/metrics") {
      sources.registry.metrics().then(
        (text) => res.writeHead(200, { "Content-Type": sources.registry.contentType }).end(text),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    } else {
      res
        .writeHead(404, { "Content-Type": "text/plain" })
        .end("not found: try /metrics, /healthz or /readyz\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return server;
}
