/**
 * GET /openapi.json: a valid OpenAPI 3.1 document (checked by an OpenAPI validator, and every
 * schema in it compiled as JSON Schema 2020-12) that lists exactly the public routes the node
 * registers, each with a summary; served without a token on a store that has one.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../../src/node/http/server.ts";
import type { ReplicaNode } from "../../../src/node/replica-node.ts";

const TOKEN = "s3cret-token";

/** Just enough of a node to build the server: no route handler that needs more is called here. */
function stubNode(): ReplicaNode {
  const known: Record<string, unknown> = {
    token: TOKEN,
    clientTokens: { all: TOKEN },
    config: () => ({ limits: { maxValueBytes: 1024 } }),
    log: { error: () => {} },
  };
  return new Proxy(known, { get: (target, key) => target[key as string] }) as unknown as ReplicaNode;
}

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { summary?: string; security?: unknown[]; tags?: string[] }>>;
};

/** `/v1/kv/*` and `/v1/conflicts/:id` as the document writes them. */
function openapiPath(url: string): string {
  return url.replace(/\*$/, "{key}").replace(/:([A-Za-z]+)/g, "{$1}");
}

describe("GET /openapi.json", () => {
  let app: FastifyInstance;
  const routes: { method: string; url: string }[] = [];
  let doc: Doc;

  beforeAll(async () => {
    app = buildServer(stubNode());
    app.addHook("onRoute", (route) => {
      for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url });
    });
    await app.ready();
    const res = await app.inject({ url: "/openapi.json" });
    expect(res.statusCode, res.body).toBe(200);
    doc = JSON.parse(res.body) as Doc;
  });
  afterAll(async () => {
    await app?.close();
  });

  it("is served without a token, while the API itself needs one (Authorization or X-Replistore-Token)", async () => {
    expect((await app.inject({ url: "/v1/status" })).statusCode).toBe(401);
    // past auth, an unknown path is a 404: the token header was accepted
    const viaHeader = await app.inject({ url: "/v1/none", headers: { "x-replistore-token": TOKEN } });
    expect(viaHeader.statusCode).toBe(404);
    const wrong = await app.inject({ url: "/v1/none", headers: { "x-replistore-token": "nope" } });
    expect(wrong.statusCode).toBe(401);
    const bearer = await app.inject({ url: "/v1/none", headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bearer.statusCode).toBe(404);
  });

  it("gives every public route its role, and a 403 to each that needs more than read", async () => {
    const roles: Record<string, string | undefined> = {};
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const role = (op as { "x-replistore-role"?: string })["x-replistore-role"];
        roles[`${method.toUpperCase()} ${path}`] = role;
        const responses = (op as { responses?: Record<string, unknown> }).responses ?? {};
        expect("403" in responses, `${method} ${path} (${role})`).toBe(role === "write" || role === "admin");
      }
    }
    expect(roles).toEqual({
      "GET /v1/kv/{key}": "read",
      "PUT /v1/kv/{key}": "write",
      "DELETE /v1/kv/{key}": "write",
      "GET /v1/conflicts": "read",
      "GET /v1/conflicts/{id}": "read",
      "POST /v1/conflicts/{id}/resolve": "admin",
      "GET /v1/status": "read",
      "POST /v1/admin/drain": "admin",
      "GET /healthz": "open",
      "GET /readyz": "open",
      "GET /metrics": "open",
      "GET /openapi.json": "open",
    });
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as never);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("has schemas that compile as JSON Schema 2020-12", async () => {
    const validator = new Validator();
    await validator.validate(structuredClone(doc) as never);
    const resolved = validator.resolveRefs() as Record<string, unknown>;
    const ajv = new Ajv2020({ strict: false, allErrors: true, formats: { "date-time": true } });
    let compiled = 0;
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        for (const item of node) walk(item);
        return;
      }
      if (typeof node !== "object" || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (key === "schema" && typeof value === "object" && value !== null) {
          ajv.compile(value as object);
          compiled++;
        } else walk(value);
      }
    };
    walk(resolved.paths);
    expect(compiled).toBeGreaterThan(30);
  });

  it("documents every public route the node serves, and nothing else", () => {
    const served = routes
      .filter((r) => r.method !== "HEAD" && !r.url.startsWith("/internal/"))
      .map((r) => `${r.method.toLowerCase()} ${openapiPath(r.url)}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((key) => !key.startsWith("x-")) // extensions, not operations
          .map((method) => `${method} ${path}`),
      )
      .sort();
    expect(documented).toEqual(served);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops).filter(([key]) => !key.startsWith("x-"))) {
        expect(op.summary, `${method} ${path} has no entry in src/node/http/openapi-docs.ts`).toBeTruthy();
        expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    // the groups the node's API is made of
    for (const path of [
      "/v1/kv/{key}",
      "/v1/conflicts",
      "/v1/status",
      "/v1/admin/drain",
      "/healthz",
      "/readyz",
      "/metrics",
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  it("marks the probes, metrics and itself as needing no token", () => {
    for (const path of ["/healthz", "/readyz", "/metrics", "/openapi.json"]) {
      expect(doc.paths[path]?.get?.security, path).toEqual([]);
    }
    expect(doc.paths["/v1/status"]?.get?.security).toBeUndefined();
  });

  it("lists drain's 409 drain_refused", () => {
    const responses = (
      doc.paths["/v1/admin/drain"]?.post as { responses?: Record<string, { description?: string }> }
    )?.responses;
    expect(responses?.["409"]?.description).toMatch(/`drain_refused`/);
  });

  it("states the rules resolvedBy is checked against: a string with a character other than white space", () => {
    const schemas = (
      doc as unknown as { components: { schemas: Record<string, { properties: Record<string, object> }> } }
    ).components.schemas;
    const resolvedBy = schemas.ResolveRequest?.properties.resolvedBy;
    expect(resolvedBy).toMatchObject({ type: "string", minLength: 1 });
    const ajv = new Ajv2020({ strict: false });
    const valid = ajv.compile(resolvedBy as object);
    for (const blank of ["", " ", "\t \n"]) expect(valid(blank), JSON.stringify(blank)).toBe(false);
    for (const name of ["ana", " ana@example.com "]) expect(valid(name), name).toBe(true);
  });
});
