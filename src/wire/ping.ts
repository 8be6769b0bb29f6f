/**
 * GET /internal/v1/ping's JSON answer: the peer's id and its HLC, from which a node measures its
 * clock offset to that peer, and which peer protocol it speaks. The API fuzz run (hack/fuzz) checks the route's answers against it.
 */
import Type, { type Static } from "typebox";
import { ProtocolVersion } from "./peer-batch.ts";
import { ClockPair, NodeId } from "./record.ts";

export const PingAnswer = Type.Object({
  id: NodeId,
  clock: ClockPair,
  /** The peer protocol the node speaks (PEER_PROTOCOL); absent from nodes older than it. */
  protocol: Type.Optional(ProtocolVersion),
});
export type PingAnswer = Static<typeof PingAnswer>;
