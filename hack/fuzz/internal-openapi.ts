/**
 * An OpenAPI 3.1 document of the node's JSON peer routes, built from the same src/wire schemas the
 * nodes and the repair job are typed with, so the fuzz run checks answers against the one definition
 * (the node's own /openapi.json leaves /internal/ out: it is not a client API). The msgpack routes
 * (the peer batch, the anti-entropy POSTs) are fuzzed by msgpack-fuzz.ts instead: schemathesis
 * generates JSON, and their bodies carry msgpack bin values that JSON cannot express.
 */
import { AE_SUMMARY, TreeSummary } from "../../src/wire/anti-entropy.ts";
import { ApiErrorBody } from "../../src/wire/api-error.ts";
import { PING_PATH } from "../../src/wire/peer-batch.ts";
import { PingAnswer } from "../../src/wire/ping.ts";
import { toOpenApiSchema } from "./json-schema.ts";

const json = (description: string, schema: unknown) => ({
  description,
  content: { "application/json": { schema: toOpenApiSchema(schema) } },
});

/** What any peer route may answer besides its success: no credentials, wrong credentials. */
const refusals = {
  "401": json("no or wrong credentials", ApiErrorBody),
  "403": json("credentials that do not open peer routes", ApiErrorBody),
};

export function internalOpenApi(version: string): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "replistore node peer API (JSON routes)",
      version,
      description: "Built from src/wire by hack/fuzz/internal-openapi.ts for the API fuzz run.",
    },
    paths: {
      [PING_PATH]: {
        get: {
          operationId: "ping",
          responses: {
            "200": json("the node's id and clock", PingAnswer),
            "503": json("the node is starting or shutting down", ApiErrorBody),
            ...refusals,
          },
        },
      },
      [AE_SUMMARY]: {
        get: {
          operationId: "antiEntropySummary",
          responses: { "200": json("the node's segment trees, one per owner set", TreeSummary), ...refusals },
        },
      },
    },
  };
}
