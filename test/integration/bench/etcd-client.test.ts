/**
 * The comparison benchmark's etcd side (test/bench/compare.ts): the 3-member cluster fixture, with and
 * without TLS, and the load generator's hand-encoded gRPC calls answered by real etcd members. A
 * wrongly encoded message would make etcd refuse every call, and the bench compare nothing.
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { EtcdConnection } from "../../bench/etcd-connection.ts";
import { type EtcdCluster, startEtcdCluster } from "../../support/etcd-cluster.ts";

const clusters: EtcdCluster[] = [];
const connections: EtcdConnection[] = [];
afterAll(async () => {
  for (const c of connections) c.close();
  await Promise.all(clusters.map((c) => c.stop()));
});

describe.each([{ tls: false }, { tls: true }])("etcd for bench:compare (tls: $tls)", ({ tls }) => {
  it("puts on one member and reads the value back from another, serializable and linearizable", async () => {
    const cluster = await startEtcdCluster({ members: 3, tls });
    clusters.push(cluster);
    expect(cluster.clientUrls.every((u) => u.startsWith(tls ? "https://" : "http://"))).toBe(true);
    const [a, b] = cluster.clientUrls.map((url) => new EtcdConnection(url, cluster.caPem));
    if (!a || !b) throw new Error("expected 3 members");
    connections.push(a, b);
    const value = randomBytes(1024);
    const put = await a.put("bench-key", value);
    expect(put.status).toBe(0);

    const linearizable = await b.range("bench-key", false);
    expect(linearizable.status).toBe(0);
    expect(linearizable.body.includes(value)).toBe(true);
    // a serializable read on a follower may lag the leader; after the linearizable read it has the key
    const serializable = await b.range("bench-key", true);
    expect(serializable.body.includes(value)).toBe(true);

    const missing = await b.range("no-such-key", false);
    expect(missing.status).toBe(0);
    expect(missing.body.length).toBeLessThan(value.length);
  });
});
