/**
 * Every member's tree summary. A node that is still building its trees, or that has not yet read
 * the newest config, is waited for (bounded): comparing trees built for different rings would
 * show every key as different.
 */
import { AE_SUMMARY, TreeSummary } from "../wire/anti-entropy.ts";
import type { NodeClient } from "./node-client.ts";

export interface MemberView {
  /** Position in the member list (the pod ordinal). */
  ordinal: number;
  id: string;
  url: string;
  client: NodeClient;
  summary?: TreeSummary;
  /** Why this member could not take part, when it cannot. */
  error?: string;
}

const SUMMARY_TIMEOUT_MS = 10_000;
const POLL_MS = 500;

function settled(members: readonly MemberView[]): boolean {
  const usable = members.filter((m) => m.summary !== undefined);
  if (usable.some((m) => !m.summary?.ready)) return false;
  return new Set(usable.map((m) => configOf(m.summary))).size <= 1;
}

async function fetchOne(member: MemberView): Promise<void> {
  try {
    const answer = await member.client.getJson(AE_SUMMARY, TreeSummary, { timeoutMs: SUMMARY_TIMEOUT_MS });
    member.summary = answer.body;
    member.error = undefined;
  } catch (err) {
    member.summary = undefined;
    member.error = err instanceof Error ? err.message : String(err);
  }
}

/**
 * Fills in `summary` or `error` on each member. Unreachable members are not retried here (the
 * client already retried); not-ready or config-lagging ones are polled until `readyTimeoutMs`.
 */
export async function collectSummaries(
  members: MemberView[],
  readyTimeoutMs: number,
  onWait: (why: string) => void,
): Promise<void> {
  await Promise.all(members.map(fetchOne));
  const deadline = Date.now() + readyTimeoutMs;
  let waited = false;
  while (!settled(members) && Date.now() < deadline) {
    if (!waited) {
      onWait(describeUnsettled(members));
      waited = true;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    await Promise.all(members.filter((m) => m.summary !== undefined).map(fetchOne));
  }
  for (const m of members) {
    if (m.summary && !m.summary.ready) {
      m.error = `${m.id}: trees still being built after ${readyTimeoutMs / 1000} s`;
      m.summary = undefined;
    }
  }
}

function describeUnsettled(members: readonly MemberView[]): string {
  const building = members.filter((m) => m.summary && !m.summary.ready).map((m) => m.id);
  if (building.length > 0) return `waiting for ${building.join(", ")} to finish building their trees`;
  const gens = members
    .filter((m) => m.summary)
    .map((m) => `${m.id}: ${configOf(m.summary)}`)
    .join(", ");
  return `waiting for every member to run the same config (${gens})`;
}

/** "generation N (hash)": what must be equal on every owner for their trees to be comparable. */
export function configOf(summary: TreeSummary | undefined): string | undefined {
  return summary ? `generation ${summary.generation} (${summary.configHash})` : undefined;
}
