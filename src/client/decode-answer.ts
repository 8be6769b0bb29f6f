/** A node's JSON answer, parsed and, for routes src/wire describes, checked against their schema. */
import type { Static, TSchema } from "typebox";
import { type Checker, checker } from "../wire/decode.ts";
import { NodeStatus } from "../wire/node-status.ts";
import type { NodeResponse } from "./endpoint.ts";
import { BadAnswerError } from "./errors.ts";

/** The body as JSON; `where` names the node in the message when it is not JSON. */
export function jsonOf(res: Pick<NodeResponse, "status" | "body">, where: string): unknown {
  try {
    return JSON.parse(res.body.toString("utf8"));
  } catch {
    throw new BadAnswerError(`${where} answered HTTP ${res.status} with a body that is not JSON`);
  }
}

/** The body checked against `c`; `what` names the answer in the message when it does not match. */
export function decodeAnswer<S extends TSchema>(
  c: Checker<S>,
  res: Pick<NodeResponse, "status" | "body">,
  where: string,
  what: string,
): Static<S> {
  const value = jsonOf(res, where);
  if (c.check(value)) return value;
  throw new BadAnswerError(`${where} answered ${what} that is not what it should be: ${c.explain(value)}`);
}

const nodeStatus = checker(NodeStatus);

/** GET /v1/status's answer, typed: the one decode every reader of a node's status uses. */
export function decodeStatus(res: Pick<NodeResponse, "status" | "body">, where: string): NodeStatus {
  return decodeAnswer(nodeStatus, res, where, "a /v1/status");
}
