import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { durationMs, listenAddress, port, positiveInt } from "../../../src/cli/options.ts";

describe("option parsers", () => {
  it("accept good values", () => {
    expect(positiveInt("3")).toBe(3);
    expect(port("7070")).toBe(7070);
    expect(listenAddress("127.0.0.1:7070")).toBe("127.0.0.1:7070");
    expect(listenAddress("[::1]:7070")).toBe("[::1]:7070");
    expect(listenAddress("orders-0.orders:7070")).toBe("orders-0.orders:7070");
    expect(durationMs("1m30s")).toBe(90_000);
  });

  it.each([
    () => positiveInt("0"),
    () => positiveInt("1.5"),
    () => positiveInt("two"),
    () => port("0"),
    () => port("65536"),
    () => listenAddress("7070"),
    () => listenAddress("host:"),
    () => listenAddress("host:99999"),
    () => durationMs("10"),
  ])("reject bad values as usage errors (%#)", (parse) => {
    expect(parse).toThrow(InvalidArgumentError);
  });
});
