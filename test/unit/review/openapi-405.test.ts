/**
 * /openapi.json documents the 405 every path answers for a method it does not take: each path item
 * names the refused methods and the Allow header in `x-method-not-allowed`, the document stays a
 * valid OpenAPI 3.1 document, and what it says is what the node answers.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../../src/node/http/server.ts";
import type { ReplicaNode } from "../../../src/node/replica-node.ts";

const TOKEN = "s3cret-token";

function stubNode(): ReplicaNode {
  const known: Record<string, unknown> = {
    token: TOKEN,
    config: () => ({ limits: { maxValueBytes: 1024 } }),
    log: { error: () => {} },
  };
  return new Proxy(known, { get: (target, key) => target[key as string] }) as unknown as ReplicaNode;
}

interface Refusal {
  methods: string[];
  allow: string;
  response: { $ref: string };
}
interface Doc {
  paths: Record<string, Record<string, unknown>>;
  components: { responses?: Record<string, { headers?: Record<string, unknown> }> };
}

describe("405 in /openapi.json", () => {
  let app: FastifyInstance;
  let doc: Doc;
  beforeAll(async () => {
    app = buildServer(stubNode());
    await app.ready();
    doc = JSON.parse((await app.inject({ url: "/openapi.json" })).body) as Doc;
  });
  afterAll(async () => {
    await app?.close();
  });

  it("lists, for every path, the methods it refuses with the Allow header sent, and stays valid OpenAPI 3.1", async () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const refusal = item["x-method-not-allowed"] as Refusal | undefined;
      expect(refusal, `${path} documents its 405`).toBeDefined();
      expect(refusal?.response).toEqual({ $ref: "#/components/responses/MethodNotAllowed" });
      const operations = Object.keys(item).filter((k) => !k.startsWith("x-"));
      expect(refusal?.allow.split(", ").sort(), path).toEqual(operations.map((m) => m.toUpperCase()).sort());
    }
    expect(doc.components.responses?.MethodNotAllowed?.headers).toHaveProperty("Allow");
    const result = await new Validator().validate(structuredClone(doc) as never);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
  });

  it("says what the node answers: 405 method_not_allowed with that Allow header", async () => {
    let checked = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      const refusal = item["x-method-not-allowed"] as Refusal;
      const url = path.replace(/\{[^}]+\}/g, "x");
      for (const method of refusal.methods) {
        const res = await app.inject({
          method: method as "GET",
          url,
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(405);
        expect(res.headers.allow, `${method} ${url}`).toBe(refusal.allow);
        if (method !== "HEAD") expect(JSON.parse(res.body).error).toBe("method_not_allowed");
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });
});
