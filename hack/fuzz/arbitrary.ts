/**
 * fast-check values for a TypeBox schema of src/wire: mostly messages the schema accepts, and with
 * `chaos` > 0, any part of one replaced now and then by an arbitrary value, so a receiver sees both
 * messages it must act on and almost-right ones it must refuse with a 4xx. Covers the keywords
 * src/wire uses; an unknown one throws, so a new kind of field cannot go unfuzzed unnoticed.
 */
import fc, { type Arbitrary } from "fast-check";

interface Schema {
  type?: string;
  const?: unknown;
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema | Schema[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  description?: string;
}

/** How many items an array gets at most: enough to batch, small enough to stay fast. */
const MAX_ITEMS = 6;
/**
 * HLC walls and the like are integers up to 2^53; uniform ones are almost all far in the future,
 * which a node refuses before looking further. Half the integers with that range are near now.
 */
const NEAR_NOW_MS = 60_000;

export interface ArbitraryOptions {
  /** The share (0..1) of values, at every level, replaced by an arbitrary one. */
  chaos?: number;
  /**
   * Values that reach further than random ones, by property name: the store's real owner set ids
   * for `set`, its member ids for `from`. Used for half the values of such a property.
   */
  hints?: Record<string, Arbitrary<unknown>>;
}

export function arbitraryOf(schema: unknown, options: ArbitraryOptions = {}): Arbitrary<unknown> {
  const chaos = options.chaos ?? 0;
  const proper = exact(schema as Schema, options);
  if (chaos <= 0) return proper;
  return fc.oneof(
    { weight: Math.round((1 - chaos) * 100), arbitrary: proper },
    { weight: Math.round(chaos * 100), arbitrary: fc.anything() },
  );
}

function exact(s: Schema, options: ArbitraryOptions): Arbitrary<unknown> {
  const sub = (x: Schema) => arbitraryOf(x, options);
  if ("const" in s) return fc.constant(s.const);
  if (s.anyOf) return fc.oneof(...s.anyOf.map(sub));
  switch (s.type) {
    case "object": {
      const props = Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([k, v]) => {
          const hint = options.hints?.[k];
          return [k, hint ? fc.oneof(hint, sub(v)) : sub(v)];
        }),
      );
      return fc.record(props, { requiredKeys: s.required ?? [] });
    }
    case "array":
      if (Array.isArray(s.items)) return fc.tuple(...s.items.map(sub));
      return fc.array(s.items ? sub(s.items) : fc.anything(), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? MAX_ITEMS, Math.max(MAX_ITEMS, s.minItems ?? 0)),
      });
    case "string":
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 24, 300) });
    case "integer": {
      const min = s.minimum ?? Number.MIN_SAFE_INTEGER;
      const max = s.maximum ?? Number.MAX_SAFE_INTEGER;
      const now = Date.now();
      if (max < now) return fc.integer({ min, max });
      return fc.oneof(
        fc.integer({ min, max }),
        fc.integer({ min: Math.max(min, now - NEAR_NOW_MS), max: Math.min(max, now + 1000) }),
      );
    }
    case "number":
      return fc.double({ min: s.minimum ?? -1e12, max: s.maximum ?? 1e12, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case undefined:
      // src/wire's Bytes: no JSON type, only a refinement that the value is a Uint8Array.
      if (s.description?.includes("bytes"))
        return fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b));
      // Type.Unknown()
      if (Object.keys(s).every((k) => k.startsWith("~"))) return fc.anything();
  }
  throw new Error(`hack/fuzz/arbitrary.ts: no generator for schema ${JSON.stringify(s)}`);
}
