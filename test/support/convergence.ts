/** Assertions that a store's owners converged on the expected newest version of each key. */
import { expect } from "vitest";
import { localCopies } from "./anti-entropy.ts";
import type { Store } from "./store.ts";

/** The newest version of a key: its version text and value, or a delete (every owner answers 404). */
export type Expected = { version: string; value: string } | { deleted: true };

/** Every owner of every key answers the expected newest version with `?local=true`. */
export async function expectConverged(store: Store, expected: ReadonlyMap<string, Expected>): Promise<void> {
  for (const [key, want] of expected) {
    const copies = await localCopies(store, key);
    if ("deleted" in want) {
      for (const c of copies) expect(c.status, `${key} on ${c.node} must stay deleted`).toBe(404);
      continue;
    }
    for (const c of copies) {
      expect(c.status, `${key} on ${c.node}`).toBe(200);
      expect(c.version, `${key} version on ${c.node}`).toBe(want.version);
      expect(c.value, `${key} value on ${c.node}`).toBe(want.value);
    }
  }
}

/**
 * How many keys some owner does not hold at the expected version (a check that divergence is real).
 * Owners that are not running are left out.
 */
export async function staleCount(store: Store, expected: ReadonlyMap<string, Expected>): Promise<number> {
  let stale = 0;
  for (const [key, want] of expected) {
    const copies = await localCopies(store, key, true);
    const ok = copies.every((c) =>
      "deleted" in want ? c.status === 404 : c.status === 200 && c.version === want.version,
    );
    if (!ok) stale++;
  }
  return stale;
}
