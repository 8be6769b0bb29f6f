import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { sendError } from "./errors.ts";

/** Probes and metrics stay open so kubelets and Prometheus need no credentials. */
const OPEN_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/** With a shared token configured, every other request needs `Authorization: Bearer <token>`. */
export function installAuth(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  const expected = Buffer.from(`Bearer ${token}`);
  app.addHook("onRequest", async (req, reply) => {
    const path = req.url.split("?", 1)[0]!;
    if (OPEN_PATHS.has(path)) return;
    const got = Buffer.from(req.headers.authorization ?? "");
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      return sendError(reply, 401, {
        error: "unauthorized",
        message: "this store needs a token: send 'Authorization: Bearer <token>' (the store's auth secret)",
      });
    }
  });
}
