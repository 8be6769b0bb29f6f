/**
 * Who the store's members are: from the nodes' own config file (what a Job mounts), or from any one
 * node's GET /v1/status (what a person at a terminal has).
 */
import type { Member } from "../config/cluster-config.ts";
import { loadClusterConfig } from "../config/load.ts";
import { UserError } from "../errors.ts";
import { NodeClient, Traffic } from "./node-client.ts";
import type { RepairWire } from "./wire-credentials.ts";

export function membersFromConfig(path: string): Member[] {
  return loadClusterConfig(path).members.map((m) => ({
    id: m.id,
    url: m.url,
    ...(m.peerUrl !== undefined ? { peerUrl: m.peerUrl } : {}),
  }));
}

function readMembers(body: unknown): Member[] | undefined {
  if (typeof body !== "object" || body === null || !("members" in body)) return undefined;
  const list = (body as { members: unknown }).members;
  if (!Array.isArray(list)) return undefined;
  const members: Member[] = [];
  for (const item of list) {
    if (typeof item !== "object" || item === null) return undefined;
    const { id, url } = item as { id?: unknown; url?: unknown };
    if (typeof id !== "string" || typeof url !== "string") return undefined;
    members.push({ id, url });
  }
  return members.length > 0 ? members : undefined;
}

/** Asks each URL in turn until one answers with its member list. */
export async function membersFromStatus(
  urls: readonly string[],
  token: string | undefined,
  timeoutMs: number,
  wire: RepairWire = {},
) {
  const failures: string[] = [];
  for (const url of urls) {
    const client = new NodeClient("the node", url, token, new Traffic(), timeoutMs, { wire });
    try {
      const answer = await client.getJson<unknown>("/v1/status");
      const members = readMembers(answer.body);
      if (members) return members;
      failures.push(`${url}: /v1/status has no member list`);
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
    } finally {
      await client.close();
    }
  }
  throw new UserError(`cannot read the store's members: ${failures.join("; ")}`);
}
