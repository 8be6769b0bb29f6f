/**
 * The conflict review page and the small API it calls. The page (static/, plain HTML, JS and CSS,
 * nothing from elsewhere) asks this server; this server asks a node of the store:
 *
 *   GET  /                                   the page (and /review.js, /review.css)
 *   GET  /api/stores                         the stores this server knows
 *   GET  /api/stores/:store/conflicts        -> GET  /v1/conflicts?status=&limit=&cursor=
 *   GET  /api/stores/:store/conflicts/:id    -> GET  /v1/conflicts/:id
 *   POST /api/stores/:store/conflicts/:id/resolve -> POST /v1/conflicts/:id/resolve
 *
 * `:store` is the store id, URL-encoded ("ns%2Fname"). The server holds no token of its own: the
 * page sends the store's token (Authorization: Bearer), which is passed on to the node, so the
 * page can do no more than its user could with curl. The node's answer (its status and JSON error)
 * is passed back as it is. API requests must carry `X-Replistore-Review: 1`, which a page of
 * another origin cannot send without a CORS preflight this server never allows: no cross-site
 * request can resolve a conflict of a store without a token.
 */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { callFirst } from "../client/call-first.ts";
import type { StoreDirectory } from "../client/discovery/directory.ts";
import type { NodeRequest } from "../client/endpoint.ts";
import { ApiserverRefusedError, NoNodeReachableError, UnreachableError } from "../client/errors.ts";

const STATIC_FILES: Record<string, string> = {
  "/": "index.html",
  "/review.js": "review.js",
  "/review.css": "review.css",
};
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/** Everything the page needs is here; nothing else may load or run. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const REVIEW_HEADER = "x-replistore-review";
const QUERY_PARAMS = ["status", "kind", "key", "limit", "cursor"];
const MAX_BODY = 16 * 1024 * 1024;

function loadStatic(): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const [path, file] of Object.entries(STATIC_FILES)) {
    const ext = file.split(".").pop() ?? "";
    files.set(path, {
      type: TYPES[ext] ?? "application/octet-stream",
      body: readFileSync(new URL(`./static/${file}`, import.meta.url)),
    });
  }
  return files;
}

function fail(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).type("application/json").send({ error, message });
}

function bearer(req: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  return match?.[1]?.trim() || undefined;
}

export function buildReviewServer(directory: StoreDirectory): FastifyInstance {
  const files = loadStatic();
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY, forceCloseConnections: "idle" });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("content-security-policy", CSP);
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    reply.header("x-frame-options", "DENY");
    reply.header("cache-control", "no-store");
    return payload;
  });

  for (const [path, file] of files) {
    app.get(path, async (_req, reply) => reply.type(file.type).send(file.body));
  }
  app.get("/healthz", async () => ({ status: "ok" }));

  app.register(async (api) => {
    api.addHook("onRequest", async (req, reply) => {
      if (req.headers[REVIEW_HEADER] !== "1") {
        return fail(
          reply,
          403,
          "forbidden",
          `the review API answers the review page only (header ${REVIEW_HEADER}: 1)`,
        );
      }
    });

    api.get("/api/stores", async () => ({
      stores: await directory.stores(),
      reachedVia: directory.describe,
    }));

    const forward = async (
      req: FastifyRequest<{ Params: { store: string; id?: string } }>,
      reply: FastifyReply,
      upstream: Omit<NodeRequest, "token">,
    ) => {
      const endpoints = await directory.endpoints(req.params.store);
      if (endpoints === undefined) {
        return fail(reply, 404, "unknown_store", `no store ${req.params.store} here; reload the page`);
      }
      const token = bearer(req);
      try {
        const res = await callFirst(endpoints, { ...upstream, ...(token ? { token } : {}) });
        return reply
          .code(res.status)
          .header("x-replistore-node", res.node)
          .type(res.contentType || "application/json")
          .send(res.body);
      } catch (err) {
        if (err instanceof NoNodeReachableError) {
          return fail(reply, 502, "unreachable", `cannot reach store ${req.params.store}: ${err.message}`);
        }
        if (err instanceof ApiserverRefusedError) return fail(reply, 502, "apiserver_refused", err.message);
        // A write the node may have received before the connection broke: not sent to another node.
        if (err instanceof UnreachableError) {
          return fail(reply, 502, "unreachable", `cannot reach store ${req.params.store}: ${err.message}`);
        }
        throw err;
      }
    };

    api.get<{ Params: { store: string }; Querystring: Record<string, string> }>(
      "/api/stores/:store/conflicts",
      (req, reply) => {
        const query = new URLSearchParams();
        for (const name of QUERY_PARAMS) {
          const value = req.query[name];
          if (typeof value === "string" && value !== "") query.set(name, value);
        }
        const qs = query.toString();
        return forward(req, reply, { method: "GET", path: `/v1/conflicts${qs ? `?${qs}` : ""}` });
      },
    );
    api.get<{ Params: { store: string; id: string } }>("/api/stores/:store/conflicts/:id", (req, reply) =>
      forward(req, reply, { method: "GET", path: `/v1/conflicts/${encodeURIComponent(req.params.id)}` }),
    );
    api.post<{ Params: { store: string; id: string } }>(
      "/api/stores/:store/conflicts/:id/resolve",
      (req, reply) =>
        forward(req, reply, {
          method: "POST",
          path: `/v1/conflicts/${encodeURIComponent(req.params.id)}/resolve`,
          body: req.body instanceof Buffer ? req.body : Buffer.alloc(0),
        }),
    );
  });

  app.setNotFoundHandler((req, reply) =>
    fail(reply, 404, "not_found", `no ${req.method} ${req.url.split("?")[0]}`),
  );
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return fail(reply, status, status === 500 ? "internal" : "bad_request", err.message);
  });
  return app;
}

export interface ReviewServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the page on host:port (port 0: any free port). */
export async function startReviewServer(
  directory: StoreDirectory,
  host: string,
  port: number,
): Promise<ReviewServer> {
  const app = buildReviewServer(directory);
  await app.listen({ host, port });
  const address = app.server.address() as AddressInfo;
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const hostPart = shownHost.includes(":") ? `[${shownHost}]` : shownHost;
  return { url: `http://${hostPart}:${address.port}/`, close: () => app.close() };
}
