/**
 * Who the store's members are, from any one node's GET /v1/status (what a person at a terminal
 * has; a Job reads the nodes' config file instead).
 */
import type { Member } from "../config/cluster-config.ts";
import { UserError } from "../errors.ts";
import { NodeStatus } from "../wire/node-status.ts";
import { NodeClient, Traffic } from "./node-client.ts";
import type { RepairWire } from "./wire-credentials.ts";

/** Asks each URL in turn until one answers with its member list. */
export async function membersFromStatus(
  urls: readonly string[],
  token: string | undefined,
  timeoutMs: number,
  wire: RepairWire = {},
): Promise<Member[]> {
  const failures: string[] = [];
  for (const url of urls) {
    const client = new NodeClient(`node at ${url}`, url, token, new Traffic(), timeoutMs, { wire });
    try {
      // checked against the node-status schema by the client; a malformed answer names this node
      const answer = await client.getJson("/v1/status", NodeStatus);
      const members = answer.body.members.map((m) => ({ id: m.id, url: m.url }));
      if (members.length > 0) return members;
      failures.push(`${url}: /v1/status has an empty member list`);
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
    } finally {
      await client.close();
    }
  }
  throw new UserError(`cannot read the store's members: ${failures.join("; ")}`);
}
