import type { ServerOptions as HttpsServerOptions } from "node:https";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { NodeParts } from "../parts.ts";
import { adminRoutes } from "./admin-routes.ts";
import { antiEntropyRoutes } from "./anti-entropy-routes.ts";
import { installAuth } from "./auth.ts";
import { backupRoutes } from "./backup-routes.ts";
import { conflictRoutes } from "./conflict-routes.ts";
import { errorResponse, INTERNAL_ERROR } from "./error-response.ts";
import { sendError } from "./errors.ts";
import { internalRoutes } from "./internal-routes.ts";
import { installKvFastPath } from "./kv-fast-path.ts";
import { kvRoutes, valueTooLarge } from "./kv-routes.ts";
import { clientErrorHandler, installMethodCheck } from "./method-check.ts";
import { installOpenApi } from "./openapi.ts";
import { opsRoutes } from "./ops-routes.ts";
import { installPeerAuth, type PeerAuthOptions, peerCheck } from "./peer-auth.ts";
import { PeerChannels } from "./peer-channel-server.ts";
import { statusRoutes } from "./status-routes.ts";
import { MAX_KEY_BYTES } from "./validate.ts";

const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/** How the node serves: its TLS options (undefined: plain HTTP) and who may call the peer routes. */
export interface ServeOptions {
  readonly https: HttpsServerOptions | undefined;
  readonly peers: Omit<PeerAuthOptions, "config">;
}

export const PLAIN: ServeOptions = {
  https: undefined,
  peers: { tls: false, secret: undefined, onPeerListener: undefined, peerPort: undefined },
};

/** Fastify with every route of the node; each concern is its own plugin. */
export function buildServer(node: NodeParts, serve: ServeOptions = PLAIN): FastifyInstance {
  const app = Fastify({
    ...(serve.https ? { https: serve.https } : {}),
    logger: false,
    // Keys are up to 1024 bytes, and percent-encoding can triple that.
    routerOptions: { maxParamLength: MAX_KEY_BYTES * 3 + 16 },
    bodyLimit: 1024 * 1024 * 1024,
    forceCloseConnections: "idle",
    return503OnClosing: true,
    clientErrorHandler,
    keepAliveTimeout: 65_000,
    // Errors raised before routing (a malformed percent-encoding) still get the JSON error shape.
    frameworkErrors: (err, _req, reply) => {
      if (err.code === "FST_ERR_BAD_URL") {
        return sendError(reply, 400, {
          error: "invalid_key",
          message: "the URL is not valid percent-encoded UTF-8",
        });
      }
      return sendError(reply, 400, { error: "bad_request", message: err.message });
    },
  });

  // Values are opaque bytes whatever the client calls them, so no JSON or text parsing ever happens.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  // Refuse an oversized value before reading it, when the client says how large it is.
  app.addHook("onRequest", (req, reply, done) => {
    const len = req.method === "PUT" ? Number(req.headers["content-length"] ?? 0) : 0;
    const limit = len > 0 ? node.config().limits.maxValueBytes : 0;
    if (len <= limit) {
      done();
      return;
    }
    const e = valueTooLarge(len, limit);
    // Closing at once would make a client still uploading see EPIPE instead of the 413; Node
    // drains an unread body, which is fine up to a point, past which we hang up.
    if (len > DRAIN_LIMIT_BYTES) reply.header("connection", "close");
    sendError(reply, e.status, e.body);
  });
  const peerAuth = { ...serve.peers, config: () => node.config() };
  installPeerAuth(app, peerAuth);
  // Batches also come as frames on a channel per peer (protocol 3), past the same peer check.
  const channels = new PeerChannels(node, peerCheck(peerAuth));
  channels.attach(app.server);
  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    void channels.close().then(() => done());
  });
  installKvFastPath(app.server, node, () => closing);
  installAuth(app, node.clientTokens);
  installMethodCheck(app);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const mapped = errorResponse(err);
    if (mapped) return sendError(reply, mapped.status, mapped.body);
    if (err.validation) return sendError(reply, 400, { error: "invalid_request", message: err.message });
    if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      const e = valueTooLarge(Number(req.headers["content-length"] ?? 0), node.config().limits.maxValueBytes);
      return sendError(reply, 413, e.body);
    }
    if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(reply, err.statusCode, { error: "bad_request", message: err.message });
    }
    node.log.error({ err, url: req.url, method: req.method }, "request failed");
    return sendError(reply, INTERNAL_ERROR.status, INTERNAL_ERROR.body);
  });

  // A known path with a wrong method never gets here: installMethodCheck answers it with 405.
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?", 1)[0]!;
    return sendError(reply, 404, {
      error: "not_found",
      message: `no route ${req.method} ${path}; the API is under /v1/`,
    });
  });

  installOpenApi(app); // before the routes: it learns them as they are registered
  app.register(opsRoutes, { node });
  app.register(kvRoutes, { node });
  app.register(statusRoutes, { node });
  app.register(internalRoutes, { node });
  app.register(antiEntropyRoutes, { node });
  app.register(backupRoutes, { node });
  app.register(adminRoutes, { node });
  app.register(conflictRoutes, { node });
  return app;
}
