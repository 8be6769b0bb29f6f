import { describe, expect, it } from "vitest";
import { buildTokenSecret } from "../../../src/builders/token-secret.ts";
import { context, store } from "./fixtures.ts";

describe("token Secret", () => {
  it("is built only when spec.auth names a Secret", () => {
    expect(buildTokenSecret(store(), context({ token: "x" }))).toBeUndefined();
  });

  it("holds the given token under `token`, named as spec.auth says", () => {
    const secret = buildTokenSecret(
      store({ auth: { secretName: "orders-token" } }),
      context({ token: "s3cret" }),
    );
    expect(secret?.metadata?.name).toBe("orders-token");
    expect(secret?.type).toBe("Opaque");
    expect(secret?.stringData).toEqual({ token: "s3cret" });
  });

  it("refuses to build a Secret without a token rather than an empty one", () => {
    expect(() => buildTokenSecret(store({ auth: { secretName: "orders-token" } }), context())).toThrow(
      /token/,
    );
  });
});
