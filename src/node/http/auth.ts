import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { sendError } from "./errors.ts";
import { isPeerPath } from "./peer-auth.ts";

/** Probes and metrics stay open so kubelets and Prometheus need no credentials; so does the API description. */
const OPEN_PATHS = new Set(["/healthz", "/readyz", "/metrics", "/openapi.json"]);

/**
 * With a shared token configured, every other request needs `Authorization: Bearer <token>`, or
 * `X-Replistore-Token: <token>`: the Kubernetes apiserver's pod proxy (kubectl replistore) keeps
 * Authorization for itself and never forwards it.
 */
export function installAuth(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  const expected = Buffer.from(`Bearer ${token}`);
  app.addHook("onRequest", async (req, reply) => {
    const path = req.url.split("?", 1)[0]!;
    // Peer routes have their own guard (peer-auth.ts): a client token never opens them.
    if (OPEN_PATHS.has(path) || isPeerPath(path)) return;
    const alt = req.headers["x-replistore-token"];
    const got = Buffer.from(req.headers.authorization ?? (typeof alt === "string" ? `Bearer ${alt}` : ""));
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      return sendError(reply, 401, {
        error: "unauthorized",
        message: "this store needs a token: send 'Authorization: Bearer <token>' (the store's auth secret)",
      });
    }
  });
}
