/**
 * The 405 a path answers for a method it does not take (method-check.ts), written into the OpenAPI
 * document. OpenAPI describes only the operations a path has, so an unsupported method cannot have
 * a response of its own: each path item carries an `x-method-not-allowed` extension (which every
 * OpenAPI validator accepts) naming the methods refused, the Allow header sent, and a reference to
 * the shared MethodNotAllowed response.
 */
import { allowedMethods } from "./route-table.ts";

type Schema = Record<string, unknown>;

/** What an OpenAPI path item may hold besides its operations. */
export const METHOD_NOT_ALLOWED_KEY = "x-method-not-allowed";

/** Methods a client might send that the document would otherwise say nothing about. */
const METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"] as const;

export const methodNotAllowedResponse: Schema = {
  description:
    "`method_not_allowed`: the path does not take this method; the Allow header lists the methods it does",
  headers: {
    Allow: {
      description: "the methods the path takes, comma-separated",
      required: true,
      schema: { type: "string", examples: ["GET, PUT, DELETE"] },
    },
  },
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
};

/** `/v1/kv/{key}` as a request path the route table matches. */
function samplePath(openapiPath: string): string {
  return openapiPath.replace(/\{[^}]+\}/g, "x");
}

/**
 * Adds the extension to every path of `doc` the route table knows (the same table the 405 is
 * answered from, so the two cannot disagree), and the shared response to its components.
 */
export function documentMethodNotAllowed<D extends { paths?: Record<string, Schema>; components?: Schema }>(
  doc: D,
): D {
  const paths: Record<string, Schema> = {};
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const allowed = allowedMethods(samplePath(path));
    // fastify answers HEAD wherever there is a GET, so HEAD is never refused there.
    const refused = allowed
      ? METHODS.filter((m) => !allowed.includes(m) && !(m === "HEAD" && allowed.includes("GET")))
      : [];
    paths[path] =
      allowed && refused.length > 0
        ? {
            ...item,
            [METHOD_NOT_ALLOWED_KEY]: {
              methods: refused,
              allow: allowed.join(", "),
              response: { $ref: "#/components/responses/MethodNotAllowed" },
            },
          }
        : item;
  }
  const components = doc.components ?? {};
  const responses = (components.responses ?? {}) as Record<string, Schema>;
  return {
    ...doc,
    paths,
    components: { ...components, responses: { ...responses, MethodNotAllowed: methodNotAllowedResponse } },
  };
}
