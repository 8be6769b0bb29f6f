/**
 * Durability: many concurrent writers, every node SIGKILLed mid-load, restart: every acknowledged
 * write is readable with its value (or with a later value of the same key that the writer also sent).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Store, startStore } from "../support/index.ts";

const WRITERS = 32;
const KEYS_PER_WRITER = 16;

interface KeyLog {
  /** every value sent for the key, in order (a writer owns its keys, so order is well defined) */
  sent: string[];
  /** index into `sent` of the last acknowledged value, -1 if none */
  acked: number;
}

describe("durability after SIGKILL under concurrent load", () => {
  let store: Store;
  beforeAll(async () => {
    store = await startStore({ nodes: 3, factor: 3, writeQuorum: 2, readQuorum: 2 });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  it("every acknowledged write survives a crash of every node", async () => {
    const logs = new Map<string, KeyLog>();
    const run = `run${Date.now().toString(36)}`;
    let crashing = false; // set just before the kills: errors from then on are expected
    let killed = false; // set once every node is dead: writers stop
    let acks = 0;
    let errorsBeforeKill = 0;

    const writer = async (w: number) => {
      const client = store.client(w % store.size);
      for (let seq = 0; !killed; seq++) {
        const key = `${run}-w${w}-k${seq % KEYS_PER_WRITER}`;
        const value = `${key}#${seq}#${"x".repeat(100 + ((seq * 37) % 900))}`;
        let log = logs.get(key);
        if (!log) {
          log = { sent: [], acked: -1 };
          logs.set(key, log);
        }
        log.sent.push(value);
        try {
          const reply = await client.put(key, value, { timeoutMs: 10_000 });
          if (reply.status === 200) {
            log.acked = log.sent.length - 1;
            acks++;
          } else if (!crashing) errorsBeforeKill++;
        } catch {
          if (!crashing) errorsBeforeKill++;
        }
      }
    };

    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    // let the load build up (bounded): at least 1,500 acks or 4 s, whichever first, but at least 1.5 s
    const started = Date.now();
    await eventually(
      () => (acks >= 1_500 && Date.now() - started >= 1_500) || Date.now() - started >= 4_000,
      {
        timeoutMs: 10_000,
        intervalMs: 20,
      },
    );
    const ackedAtKill = acks;
    crashing = true;
    await Promise.all([0, 1, 2].map((i) => store.kill(i, "SIGKILL")));
    killed = true;
    await Promise.all(writers);

    expect(errorsBeforeKill, "writes failed before the crash").toBe(0);
    expect(ackedAtKill).toBeGreaterThan(100);

    await Promise.all([0, 1, 2].map((i) => store.start(i)));
    await store.waitForPeers();

    const lost: string[] = [];
    const entries = [...logs.entries()].filter(([, log]) => log.acked >= 0);
    let next = 0;
    const reader = async (r: number) => {
      const client = store.client(r % store.size);
      while (next < entries.length) {
        const entry = entries[next++];
        if (!entry) break;
        const [key, log] = entry;
        const reply = await client.get(key);
        const index = reply.status === 200 ? log.sent.indexOf(reply.text) : -2;
        if (index < log.acked) {
          lost.push(
            `${key}: acked #${log.acked}, read ${reply.status} ${index >= 0 ? `#${index}` : reply.text.slice(0, 80)}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, r) => reader(r)));
    console.log(`durability: ${acks} writes acknowledged over ${entries.length} keys; ${lost.length} lost`);
    expect(lost, lost.slice(0, 20).join("\n")).toEqual([]);
  });
});
