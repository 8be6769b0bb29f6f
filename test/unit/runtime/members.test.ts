import { describe, expect, it } from "vitest";
import { localMembers } from "../../../src/runtime/members.ts";

describe("localMembers", () => {
  it("names members <name>-<i> on consecutive ports", () => {
    expect(localMembers("orders", 3, "127.0.0.1", 7070)).toEqual([
      { id: "orders-0", url: "http://127.0.0.1:7070", listen: "127.0.0.1:7070", port: 7070 },
      { id: "orders-1", url: "http://127.0.0.1:7071", listen: "127.0.0.1:7071", port: 7071 },
      { id: "orders-2", url: "http://127.0.0.1:7072", listen: "127.0.0.1:7072", port: 7072 },
    ]);
  });

  it("advertises loopback for a wildcard bind address", () => {
    const [member] = localMembers("a", 1, "0.0.0.0", 9000);
    expect(member).toMatchObject({ url: "http://127.0.0.1:9000", listen: "0.0.0.0:9000" });
  });

  it("brackets IPv6 hosts", () => {
    const [member] = localMembers("a", 1, "::1", 9000);
    expect(member).toMatchObject({ url: "http://[::1]:9000", listen: "[::1]:9000" });
  });
});
