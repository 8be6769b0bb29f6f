/** POST /v1/admin/drain's body. Found by the API fuzz run (hack/fuzz): a JSON `null` body answered 500. */
import { describe, expect, it } from "vitest";
import type { ClusterConfig } from "../../../src/config/cluster-config.ts";
import { parseLeaving } from "../../../src/node/http/admin-routes.ts";
import { httpErrorOf } from "../../support/http-error.ts";

const node = {
  selfId: "n0",
  config: () => ({ members: [{ id: "n0" }, { id: "n1" }] }) as ClusterConfig,
};

describe("parseLeaving", () => {
  it("takes an empty body or an object without leaving as this node", () => {
    expect(parseLeaving(Buffer.from(""), node)).toEqual(["n0"]);
    expect(parseLeaving(Buffer.from("{}"), node)).toEqual(["n0"]);
    expect(parseLeaving(Buffer.from('{"leaving":["n1"]}'), node)).toEqual(["n1"]);
  });
  it("refuses JSON that is not an object with 400 invalid_request, never a TypeError", () => {
    for (const body of ["null", "3", '"n1"', '["n1"]', "true"]) {
      const err = httpErrorOf(() => parseLeaving(Buffer.from(body), node));
      expect(err.status, body).toBe(400);
      expect(err.body.error, body).toBe("invalid_request");
    }
  });
  it("names unknown members", () => {
    expect(httpErrorOf(() => parseLeaving(Buffer.from('{"leaving":["x"]}'), node)).body.error).toBe(
      "unknown_member",
    );
  });
});
