/**
 * Holds each rule's CEL (what the apiserver runs) and its TypeScript predicate (what `up` runs) to
 * the same answers over many specs. Needs the devDependency @marcbachmann/cel-js; without it the
 * suite is reported as skipped, not passed.
 */
import Value from "typebox/value";
import { describe, expect, it } from "vitest";
import { ReplicatedStoreSpec } from "../../../src/api/replicated-store.ts";
import { CROSS_FIELD_RULES } from "../../../src/api/rules.ts";

type Evaluate = (expression: string, context: Record<string, unknown>) => unknown;

const CEL_PACKAGE = "@marcbachmann/cel-js";
const celModule: unknown = await import(CEL_PACKAGE).catch(() => undefined);
const evaluate =
  typeof celModule === "object" &&
  celModule !== null &&
  "evaluate" in celModule &&
  typeof celModule.evaluate === "function"
    ? (celModule.evaluate as Evaluate)
    : undefined;

/** Kubernetes hands CEL JSON integers as int, so `N / 2` divides like Go, not like JS. */
function asCel(value: unknown): unknown {
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(asCel);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asCel(v)]));
  }
  return value;
}

function* specs(): Generator<Record<string, unknown>> {
  const counts = [undefined, 1, 2, 3, 4, 5];
  for (const replicas of [1, 3, 4]) {
    for (const factor of counts) {
      for (const writeQuorum of counts) {
        for (const readQuorum of counts) {
          for (const consistency of ["Strong", "Eventual"]) {
            yield { replicas, replication: { factor, writeQuorum, readQuorum, consistency } };
          }
        }
      }
    }
    for (const leaders of [1, 2, 3, 5]) {
      for (const hub of [0, 1, 2, 4]) {
        for (const mode of ["Leaderless", "MultiLeader"]) {
          yield { replicas, mode, multiLeader: { leaders, topology: "Star", hub } };
        }
      }
      yield { replicas, mode: "MultiLeader" };
    }
  }
  for (const zeroish of ["0", "0s", "0.0ms", "0h0m", "1ms", "0.5s", "10us"]) {
    yield { clock: { maxOffset: zeroish }, limits: { requestTimeout: zeroish } };
  }
  for (const size of ["0", "0Mi", "0.0Ki", "1", "1Mi", "10"]) yield { limits: { maxValueSize: size } };
  for (const schedule of SCHEDULES) yield { antiEntropy: { schedule } };
  for (const mode of [undefined, "Auto", "CertManager", "Secret", "Disabled"]) {
    for (const issuerRef of [undefined, { name: "ca" }]) {
      for (const secretName of [undefined, "my-tls"]) yield { tls: { mode, issuerRef, secretName } };
    }
  }
  const secret = { secretName: "s" };
  for (const auth of [{}, { secretName: "s" }, { read: secret }, { write: secret }, { admin: secret }]) {
    yield { auth };
  }
}

/** Each field good and bad: values at and past the bounds, names, ranges, steps, lists, `?`. */
const SCHEDULES = [
  "*/15 * * * *",
  "@daily",
  "0 0 * * *",
  "59 23 31 12 6",
  "60 * * * *",
  "0 24 * * *",
  "0 0 0 * *",
  "0 0 32 * *",
  "0 0 * 0 *",
  "0 0 * 13 *",
  "0 0 * * 7",
  "0 0 ? * ?",
  "? * * * *",
  "0 0 * JAN-Mar sun,MON-fri",
  "0 0 * JANUARY *",
  "*/0 * * * *",
  "1-5/2,7,9 */6 1-15 */2 1-5",
  "0 0 L * *",
  "0 0 * * 1#2",
  "  5   4 * * *  ",
];

function withoutUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe.skipIf(evaluate === undefined)(`CEL and TypeScript rules agree (needs ${CEL_PACKAGE})`, () => {
  it.each(CROSS_FIELD_RULES.map((rule) => [rule.id, rule] as const))("%s", (_id, rule) => {
    let checked = 0;
    for (const raw of specs()) {
      const spec = Value.Default(ReplicatedStoreSpec, withoutUndefined(raw));
      if (!Value.Check(ReplicatedStoreSpec, spec)) continue;
      const cel = evaluate?.(rule.cel, { self: asCel(spec) });
      expect(cel, JSON.stringify(spec)).toBe(rule.holds(spec));
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });
});
