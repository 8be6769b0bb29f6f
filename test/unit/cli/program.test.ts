import { describe, expect, it } from "vitest";
import { exitCodeFor } from "../../../src/cli/exit.ts";
import { buildProgram } from "../../../src/cli/program.ts";
import { ApiError } from "../../../src/client/api-error.ts";
import { ClusterConfigError } from "../../../src/config/load.ts";
import { UserError } from "../../../src/errors.ts";

/** Parses argv the way main.ts does and returns the exit code and everything printed. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const program = buildProgram({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  let code = 0;
  try {
    await program.parseAsync(["node", "replistore", ...args]);
  } catch (e) {
    code = exitCodeFor(e, (s) => (err += s), false);
  }
  return { code, out, err };
}

describe("replistore CLI", () => {
  it("exits 0 for --help and --version", async () => {
    expect((await run("--help")).code).toBe(0);
    const version = await run("--version");
    expect(version).toMatchObject({ code: 0, out: "0.1.0\n" });
  });

  it.each([
    [["kv", "get"], "missing required argument 'key'"],
    [["kv", "put", "k", "v", "--w", "0"], 'expected a whole number of at least 1, got "0"'],
    [["status", "-o", "xml"], "Allowed choices are text, json, yaml"],
    [["up"], "required option '-f, --file <path>' not specified"],
    [["up", "-f", "x.yaml", "--port-base", "70000"], "expected a port between 1 and 65535"],
    [["up", "-f", "x.yaml", "--ready-timeout", "soon"], 'invalid duration "soon"'],
    [
      ["node", "--id", "a", "--listen", "7070", "--data", "d", "--config", "c"],
      "expected host:port such as 127.0.0.1:7070",
    ],
    [["frobnicate"], "unknown command 'frobnicate'"],
  ])("%j is a usage error (exit 2)", async (args, message) => {
    const result = await run(...args);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });

  it("reads node settings from the environment", async () => {
    process.env.REPLISTORE_NODE_ID = "orders-0";
    try {
      const result = await run("node", "--listen", "127.0.0.1:7070", "--data", "d", "--config", "c");
      // The id came from the env, so the next missing requirement is reported... none is: it
      // reached the action and failed on the config file, a user error, not a usage error.
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/^error: invalid cluster config c: cannot read the file \(ENOENT\)/);
    } finally {
      delete process.env.REPLISTORE_NODE_ID;
    }
  });
});

describe("exitCodeFor", () => {
  it.each([
    new UserError("fix this"),
    new ApiError(404, "not_found", "fix this"),
    new ClusterConfigError("f", ["fix this"]),
  ])("prints only the message of an expected error, exit 1", (error) => {
    let err = "";
    expect(exitCodeFor(error, (s) => (err += s), false)).toBe(1);
    expect(err).toMatch(/^error: (invalid cluster config f: )?fix this\n$/);
  });

  it("flags an unexpected error as a bug without a stack unless debugging", () => {
    let err = "";
    expect(exitCodeFor(new TypeError("x is undefined"), (s) => (err += s), false)).toBe(1);
    expect(err).toBe(
      "error: x is undefined\n(this looks like a bug in replistore; set REPLISTORE_DEBUG=1 for a stack trace)\n",
    );
    err = "";
    exitCodeFor(new TypeError("x is undefined"), (s) => (err += s), true);
    expect(err).toMatch(/\n\s+at /);
  });
});
