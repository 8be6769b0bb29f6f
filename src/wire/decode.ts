/**
 * Checking a decoded message against its schema. Msgpack bodies are unpacked by hand (fastify only
 * validates JSON), so every receiver runs the compiled check itself; the compiled code is a plain
 * function, cheap enough for the write path. Errors are computed only for a message that failed.
 */
import type { Static, TSchema } from "typebox";
import { Compile } from "typebox/compile";
import { WireError, type WireErrorCode } from "./errors.ts";

export interface Checker<S extends TSchema> {
  check(value: unknown): value is Static<S>;
  /** The problem, as `path what is wrong` with the path from `root`; only for a value `check` refused. */
  explain(value: unknown, root?: string): string;
}

export function checker<S extends TSchema>(schema: S): Checker<S> {
  const compiled = Compile(schema);
  return {
    check: (value: unknown): value is Static<S> => compiled.Check(value),
    explain: (value: unknown, root = "body") => {
      // Union branches report every branch's miss; the deepest path is the one that says what is wrong.
      const errors = compiled.Errors(value);
      const deepest = errors.reduce<(typeof errors)[number] | undefined>(
        (best, e) => (!best || e.instancePath.length > best.instancePath.length ? e : best),
        undefined,
      );
      return deepest
        ? `${jsonPath(deepest.instancePath, root)} ${deepest.message}`
        : `${root} does not match its schema`;
    },
  };
}

/** Checks `value` and returns it typed, or throws a WireError whose message starts with `what`. */
export function decode<S extends TSchema>(
  c: Checker<S>,
  value: unknown,
  code: WireErrorCode,
  what: string,
): Static<S> {
  if (c.check(value)) return value;
  throw new WireError(code, `${what}: ${c.explain(value)}`);
}

/** `/ops/3/2/0` as `body.ops[3][2][0]`: the way a reader of the message would name the field. */
export function jsonPath(pointer: string, root: string): string {
  let out = root;
  if (pointer === "") return out;
  for (const raw of pointer.slice(1).split("/")) {
    const part = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    out += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  }
  return out;
}
