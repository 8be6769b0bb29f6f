/** The auth hook on its own fastify: which token opens which role, and that every public route must declare one. */
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { installAuth, roleOf } from "../../../src/node/http/auth.ts";

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function server(tokens: Parameters<typeof installAuth>[1]): FastifyInstance {
  app = Fastify();
  installAuth(app, tokens);
  app.get("/r", { config: { role: "read" } }, async () => "ok");
  app.post("/a", { config: { role: "admin" } }, async () => "ok");
  app.get("/open", { config: { role: "open" } }, async () => "ok");
  app.get("/internal/v1/x", async () => "peer");
  return app;
}

describe("roleOf", () => {
  it("gives a token's highest role; the all-roles token is admin; unknown and empty are none", () => {
    const tokens = { all: "A", read: "r", write: "w", admin: "a" };
    expect(roleOf(tokens, "r")).toBe("read");
    expect(roleOf(tokens, "w")).toBe("write");
    expect(roleOf(tokens, "a")).toBe("admin");
    expect(roleOf(tokens, "A")).toBe("admin");
    expect(roleOf(tokens, "x")).toBeUndefined();
    expect(roleOf(tokens, undefined)).toBeUndefined();
    // a role without a token is not opened by an empty one
    expect(roleOf({ read: "r", admin: "" }, "")).toBeUndefined();
  });

  it("a token shared by two roles has the higher one", () => {
    expect(roleOf({ read: "same", write: "same" }, "same")).toBe("write");
  });
});

describe("installAuth", () => {
  it("answers 401 without a known token, 403 naming the role without the role, and leaves open and peer routes alone", async () => {
    const s = server({ read: "r", admin: "a" });
    expect((await s.inject({ url: "/r" })).statusCode).toBe(401);
    expect((await s.inject({ url: "/r", headers: { authorization: "Bearer r" } })).statusCode).toBe(200);
    expect((await s.inject({ url: "/r", headers: { "x-replistore-token": "a" } })).statusCode).toBe(200);
    const forbidden = await s.inject({ method: "POST", url: "/a", headers: { authorization: "Bearer r" } });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ error: "forbidden" });
    expect(forbidden.json().message).toContain("needs the admin role");
    expect(
      (await s.inject({ method: "POST", url: "/a", headers: { authorization: "Bearer a" } })).statusCode,
    ).toBe(200);
    expect((await s.inject({ url: "/open" })).statusCode).toBe(200);
    expect((await s.inject({ url: "/internal/v1/x" })).statusCode).toBe(200);
    // an unknown path needs a valid token before it is a 404
    expect((await s.inject({ url: "/nope" })).statusCode).toBe(401);
    expect((await s.inject({ url: "/nope", headers: { authorization: "Bearer r" } })).statusCode).toBe(404);
  });

  it("refuses at start a public route that declares no role", async () => {
    app = Fastify();
    installAuth(app, undefined);
    expect(() => app?.get("/v1/undeclared", async () => "x")).toThrow(/declares no role/);
  });
});
