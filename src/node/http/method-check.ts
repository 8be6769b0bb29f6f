/**
 * 405 with Allow for a method a known path does not support, however the method arrives: one
 * fastify knows (checked on every request, before fastify looks at the body: QUERY without a
 * Content-Type would otherwise be a 400), or one Node's HTTP parser does not know at all (FOO),
 * which never reaches fastify and is answered from the client-error hook on the raw socket.
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import { type ApiError, sendError } from "./errors.ts";
import { allowedMethods } from "./route-table.ts";

function notAllowedBody(method: string, path: string, allowed: readonly string[]): ApiError {
  return {
    error: "method_not_allowed",
    message: `${method} is not supported on ${path}; use ${allowed.join(", ")}`,
  };
}

/** The methods `path` takes when `method` is not one of them; undefined when it is, or the path is unknown. */
export function refusedMethod(method: string, path: string): string[] | undefined {
  const allowed = allowedMethods(path);
  if (!allowed || allowed.includes(method)) return undefined;
  // fastify answers HEAD for every GET route.
  if (method === "HEAD" && allowed.includes("GET")) return undefined;
  return allowed;
}

export function installMethodCheck(app: FastifyInstance): void {
  // A callback hook: it runs on every request, and a promise per hook shows.
  app.addHook("onRequest", (req, reply, done) => {
    const path = req.url.split("?", 1)[0]!;
    const allowed = refusedMethod(req.method, path);
    if (!allowed) {
      done();
      return;
    }
    reply.header("allow", allowed.join(", "));
    sendError(reply, 405, notAllowedBody(req.method, path, allowed));
  });
}

/** What Node hands the clientError hook; rawPacket is the bytes read so far (typed loosely by fastify). */
interface ClientError extends Error {
  code?: string;
  rawPacket?: unknown;
}

/**
 * Errors Node raises before a request exists. An unknown method on a known path is a 405 like any
 * other; the rest keep Node's statuses (408, 431, 400) with the API's JSON error shape.
 */
export function clientErrorHandler(err: ClientError, socket: Socket): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  let status = 400;
  let body: ApiError = { error: "bad_request", message: "the request is not valid HTTP/1.1" };
  const headers: Record<string, string> = {};
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    status = 408;
    body = { error: "request_timeout", message: "the request did not arrive in time" };
  } else if (err.code === "HPE_HEADER_OVERFLOW") {
    status = 431;
    body = { error: "headers_too_large", message: "the request headers are larger than this node accepts" };
  } else if (err.code === "HPE_INVALID_METHOD" && Buffer.isBuffer(err.rawPacket)) {
    const [method = "", target = ""] = err.rawPacket.toString("latin1").split("\r\n", 1)[0]!.split(" ");
    const path = target.split("?", 1)[0]!;
    const allowed = allowedMethods(path);
    if (allowed) {
      status = 405;
      body = notAllowedBody(method, path, allowed);
      headers.Allow = allowed.join(", ");
    }
  }
  if (socket.writable) {
    const json = JSON.stringify(body);
    const head = Object.entries({
      ...headers,
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": String(Buffer.byteLength(json)),
      Connection: "close",
    })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("");
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n${json}`);
  }
  socket.destroy(err);
}
