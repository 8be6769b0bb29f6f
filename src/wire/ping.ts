/**
 * GET /internal/v1/ping's JSON answer: the peer's id and its HLC, from which a node measures its
 * clock offset to that peer. The API fuzz run (hack/fuzz) checks the route's answers against it.
 */
import Type, { type Static } from "typebox";
import { ClockPair, NodeId } from "./record.ts";

export const PingAnswer = Type.Object({ id: NodeId, clock: ClockPair });
export type PingAnswer = Static<typeof PingAnswer>;
