/**
 * The role a route needs, declared beside the route in its fastify config (`{config: {role}}`):
 * the auth hook enforces it and the OpenAPI document shows it, so the two cannot disagree.
 * `open`: no token at all (probes, metrics, the API description).
 */
import type { Role } from "../client-tokens.ts";

export type RouteRole = Role | "open";

declare module "fastify" {
  interface FastifyContextConfig {
    role?: RouteRole;
  }
}

/** What each role opens, for messages and documentation. */
export const ROLE_OPENS: Record<Role, string> = {
  read: "reads: GET /v1/kv, the conflict queue and /v1/status",
  write: "reads and writes: PUT and DELETE /v1/kv too",
  admin: "everything: resolving conflicts and draining nodes too",
};

/** Peer and repair routes: guarded by peer authentication (peer-auth.ts), never by a client token. */
export function isPeerPath(path: string): boolean {
  return path.startsWith("/internal/");
}
