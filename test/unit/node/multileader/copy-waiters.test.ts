import { describe, expect, it } from "vitest";
import { QuorumError } from "../../../../src/errors.ts";
import { CopyWaiters } from "../../../../src/node/replication/multileader/copy-waiters.ts";

describe("CopyWaiters", () => {
  it("resolves once `need` distinct peers applied the update, counting each peer once", async () => {
    const waiters = new CopyWaiters("a");
    const copies = waiters.wait(5, 2, 1000, 3);
    waiters.ack("b", 4); // not yet at 5
    waiters.ack("b", 5);
    waiters.ack("b", 6);
    waiters.ack("c", 7);
    await expect(copies).resolves.toBe(2);
  });

  it("rejects with a QuorumError that says the write stays in the outbox", async () => {
    const waiters = new CopyWaiters("a");
    const copies = waiters.wait(1, 2, 10, 3);
    waiters.ack("b", 1);
    const err = await copies.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuorumError);
    expect((err as QuorumError).needed).toBe(3);
    expect((err as QuorumError).reached).toBe(2);
    expect((err as QuorumError).message).toBe(
      "the write is durable on a and 1 other node(s), fewer than w=3, within 10 ms; it stays in a's outbox and reaches the others when they are back",
    );
  });
});
