/** What a backup records of its store, from the nodes' config file or from a node's /v1/status. */
import type { ClusterConfig, Member } from "../config/cluster-config.ts";
import { UserError } from "../errors.ts";
import { NodeClient, Traffic } from "../repair/node-client.ts";
import type { RepairWire } from "../repair/wire-credentials.ts";
import { NodeStatus } from "../wire/node-status.ts";
import type { StoreShape } from "./run.ts";

export function shapeFromConfig(cfg: ClusterConfig): StoreShape {
  const { factor, writeQuorum, readQuorum } = cfg.replication;
  return {
    name: cfg.store.name,
    namespace: cfg.store.namespace,
    mode: cfg.mode,
    replication: { factor, writeQuorum, readQuorum },
    members: cfg.members,
    ...(cfg.multiLeader ? { leaders: cfg.members.slice(0, cfg.multiLeader.leaders).map((m) => m.id) } : {}),
  };
}

/** Asks the first node that answers; the leaders of a MultiLeader store stay unknown (all count). */
export async function shapeFromStatus(
  urls: readonly string[],
  members: readonly Member[],
  token: string | undefined,
  wire: RepairWire,
  timeoutMs: number,
): Promise<StoreShape> {
  const failures: string[] = [];
  for (const url of urls) {
    const client = new NodeClient(`node at ${url}`, url, token, new Traffic(), timeoutMs, { wire });
    try {
      const { body } = await client.getJson("/v1/status", NodeStatus);
      const store = body.store as { name?: unknown; namespace?: unknown } | undefined;
      const n = members.length;
      const factor = body.replication.factor ?? n;
      const majority = Math.floor(factor / 2) + 1;
      return {
        name: typeof store?.name === "string" ? store.name : "store",
        namespace: typeof store?.namespace === "string" ? store.namespace : "",
        mode: body.node.mode,
        replication: {
          factor,
          writeQuorum: body.replication.writeQuorum ?? majority,
          readQuorum: body.replication.readQuorum ?? majority,
        },
        members,
      };
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
    } finally {
      await client.close();
    }
  }
  throw new UserError(`cannot read the store's status: ${failures.join("; ")}`);
}
