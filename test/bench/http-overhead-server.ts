/**
 * The server half of `npm run bench:http`: answers `PUT /v1/kv/<key>` with a write's JSON, either
 * written against Node's request API (`node`) or as a fastify route set up as the node sets up its
 * kv routes (`fastify`: the same server options, catch-all buffer parser, query and response
 * schemas). Nothing is stored: what is left is the cost of serving the request. Reads the TLS key
 * and certificate from BENCH_TLS_KEY and BENCH_TLS_CERT; prints "ready <port>" once listening.
 */
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import Fastify from "fastify";

const mode = process.argv[2];
const tls = { key: process.env.BENCH_TLS_KEY ?? "", cert: process.env.BENCH_TLS_CERT ?? "" };
const answer = (key: string) => ({ key, version: "1796683458107:0:bench-0", acks: 2 });

async function listen(): Promise<number> {
  if (mode === "node") {
    const server = createServer(tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = JSON.stringify(answer((req.url ?? "").slice("/v1/kv/".length)));
        res.writeHead(200, {
          "content-type": "application/json; charset=utf-8",
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  }
  const app = Fastify({ https: tls, logger: false, keepAliveTimeout: 65_000, bodyLimit: 1024 ** 3 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  app.put<{ Params: { "*": string }; Querystring: { w?: string } }>(
    "/v1/kv/*",
    {
      schema: {
        querystring: { type: "object", properties: { w: { type: "string" } } },
        response: {
          200: {
            type: "object",
            properties: { key: { type: "string" }, version: { type: "string" }, acks: { type: "integer" } },
          },
        },
      },
    },
    async (req) => answer(req.params["*"]),
  );
  await app.listen({ port: 0, host: "127.0.0.1" });
  return (app.server.address() as AddressInfo).port;
}

if (mode !== "node" && mode !== "fastify") {
  console.error(`mode must be node or fastify, got ${JSON.stringify(mode)}`);
  process.exit(2);
}
console.log(`ready ${await listen()}`);
