import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type ClientTokens, hasClientTokens, ROLES, type Role } from "../client-tokens.ts";
import { sendError } from "./errors.ts";
import { isPeerPath } from "./route-role.ts";

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/** Equal-length digests, so the comparison takes the same time whatever the token's length. */
function same(a: Buffer, token: string | undefined): boolean {
  return token !== undefined && token !== "" && timingSafeEqual(a, digest(token));
}

/**
 * The highest role the presented token has, or undefined for no token or an unknown one. Every
 * token is compared (no early exit), so timing does not tell which one matched.
 */
export function roleOf(tokens: ClientTokens, presented: string | undefined): Role | undefined {
  if (presented === undefined) return undefined;
  const got = digest(presented);
  let best = -1;
  if (same(got, tokens.all)) best = ROLES.length - 1;
  ROLES.forEach((role, i) => {
    if (same(got, tokens[role]) && i > best) best = i;
  });
  return best < 0 ? undefined : ROLES[best];
}

/**
 * `Authorization: Bearer <token>`, or `X-Replistore-Token: <token>`: the Kubernetes apiserver's pod
 * proxy (kubectl replistore) keeps Authorization for itself and never forwards it.
 */
export function presentedToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth !== undefined) return auth.startsWith("Bearer ") ? auth.slice("Bearer ".length) : undefined;
  const alt = headers["x-replistore-token"];
  return typeof alt === "string" ? alt : undefined;
}

/** Whether a token's role (undefined: none or unknown) covers the role a route needs. */
export function roleCovers(has: Role | undefined, needed: Role): boolean {
  return has !== undefined && ROLES.indexOf(has) >= ROLES.indexOf(needed);
}

/**
 * Every public route declares the role it needs (route-role.ts); one without is a programming
 * error caught at start, so no route is left open or closed by accident. Peer routes are guarded
 * by peer authentication instead, never by a client token.
 */
function requireDeclaredRoles(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    if (isPeerPath(route.url) || route.config?.role !== undefined) return;
    throw new Error(`route ${String(route.method)} ${route.url} declares no role (config.role)`);
  });
}

/**
 * With client tokens configured, every public request but the open routes needs a token with the
 * route's role: none or an unknown one is 401 `unauthorized`, a known one without the role 403
 * `forbidden`. A path no route matches needs any valid token (then answers 404), so the API's
 * shape is not told to strangers.
 */
export function installAuth(app: FastifyInstance, tokens: ClientTokens | undefined): void {
  requireDeclaredRoles(app);
  if (!hasClientTokens(tokens)) return;
  app.addHook("onRequest", (req, reply, done) => {
    if (!refuse(req, reply)) done();
  });
  /** Answers the request and returns the reply when its token may not go on; undefined when it may. */
  const refuse = (req: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    const path = req.url.split("?", 1)[0]!;
    if (isPeerPath(path)) return undefined;
    const needed = req.routeOptions.config?.role ?? "read";
    if (needed === "open") return undefined;
    const has = roleOf(tokens, presentedToken(req.headers));
    if (has === undefined) {
      return sendError(reply, 401, {
        error: "unauthorized",
        message: `this store needs a token: send 'Authorization: Bearer <token>' with a token that has the ${needed} role (the store's auth Secrets)`,
      });
    }
    if (!roleCovers(has, needed)) {
      return sendError(reply, 403, {
        error: "forbidden",
        message: `${req.method} ${path} needs the ${needed} role; the token sent has only the ${has} role: use the store's ${needed} token (spec.auth.${needed}.secretName, or spec.auth.secretName)`,
      });
    }
    return undefined;
  };
}
