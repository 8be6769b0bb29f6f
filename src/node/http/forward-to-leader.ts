import type { FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { Agent, request } from "undici";
import type { ClusterConfig } from "../../config/cluster-config.ts";
import type { PeerCredentials } from "../tls/peer-credentials.ts";
import { sendError } from "./errors.ts";

/** Set on a forwarded request, so a leader set that disagrees for a moment cannot bounce it around. */
export const FORWARDED_BY = "x-replistore-forwarded-by";
export const LEADER_HEADER = "x-replistore-leader";

/** What forwarding needs to know about this node. */
export interface ForwardingNode {
  readonly selfId: string;
  readonly log: Logger;
  /** a leader's client port speaks TLS when peers do, with the same CA */
  readonly peerCredentials: PeerCredentials;
  config(): ClusterConfig;
}

const agents = new WeakMap<PeerCredentials, Agent>();

function agentFor(credentials: PeerCredentials): Agent | undefined {
  if (!credentials.connect) return undefined;
  let agent = agents.get(credentials);
  if (!agent) {
    agent = new Agent({ connect: credentials.connect });
    agents.set(credentials, agent);
  }
  return agent;
}

/**
 * Sends a write that reached a follower to a leader (`leaders`, as ReplicationStrategy.forwardTo
 * orders them: its feeder first, then the others) and relays
 * the leader's answer as it is, naming the leader in a header. A leader that cannot be reached is
 * skipped; with none reachable the client gets a 503 that says so.
 */
export async function forwardToLeader(
  node: ForwardingNode,
  leaders: readonly string[],
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  if (req.headers[FORWARDED_BY]) {
    return sendError(reply, 503, {
      error: "no_leader_available",
      message: `${node.selfId} is a follower and got a write already forwarded by ${req.headers[FORWARDED_BY]}; the leader set is changing, retry shortly`,
    });
  }
  const members = new Map(node.config().members.map((m) => [m.id, m.url]));
  const body = req.body instanceof Buffer ? req.body : undefined;
  const tried: string[] = [];
  const dispatcher = agentFor(node.peerCredentials);
  for (const id of leaders) {
    const url = members.get(id);
    if (!url) continue;
    tried.push(id);
    try {
      const headers: Record<string, string> = { [FORWARDED_BY]: node.selfId };
      const type = req.headers["content-type"];
      if (type) headers["content-type"] = type;
      if (req.headers.authorization) headers.authorization = req.headers.authorization;
      const alt = req.headers["x-replistore-token"];
      if (typeof alt === "string") headers["x-replistore-token"] = alt;
      const timeout = node.config().limits.requestTimeoutMs + 1000;
      const res = await request(`${url}${req.url}`, {
        method: req.method as "PUT" | "DELETE" | "POST",
        headers,
        ...(body ? { body } : {}),
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(dispatcher ? { dispatcher } : {}),
      });
      const payload = Buffer.from(await res.body.arrayBuffer());
      reply.code(res.statusCode).header(LEADER_HEADER, id);
      const resType = res.headers["content-type"];
      if (typeof resType === "string") reply.type(resType);
      return reply.send(payload);
    } catch (err) {
      node.log.warn({ leader: id, err: (err as Error).message }, "could not forward a write to this leader");
    }
  }
  return sendError(reply, 503, {
    error: "no_leader_available",
    message: `${node.selfId} is a follower and no leader answered (${tried.join(", ") || "none configured"}); retry when a leader is up`,
    leaders: tried,
  });
}
