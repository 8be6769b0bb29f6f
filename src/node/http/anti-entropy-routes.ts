import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { pack, unpack } from "msgpackr";
import type { Static, TSchema } from "typebox";
import {
  AE_APPLY,
  AE_KEYS,
  AE_LEVEL,
  AE_LOCK,
  AE_PURGE,
  AE_RECORDS,
  AE_REPORT,
  AE_SUMMARY,
  AE_UNLOCK,
  ApplyRequest,
  KeysRequest,
  LevelRequest,
  LockRequest,
  PurgeRequest,
  RecordsRequest,
  RepairReport,
  type TreeSummary,
  UnlockRequest,
} from "../../wire/anti-entropy.ts";
import { type Checker, checker, decode } from "../../wire/decode.ts";
import { WireError, type WireErrorCode } from "../../wire/errors.ts";
import { checkPeerClock } from "../clock/offset-guard.ts";
import type { NodeParts } from "../parts.ts";
import { MSGPACK } from "../peers/protocol.ts";
import { fromTuple, toTuple } from "../storage/record.ts";
import { HttpError } from "./errors.ts";

/** One compiled check per message, made once at start. */
const checks = {
  level: checker(LevelRequest),
  keys: checker(KeysRequest),
  records: checker(RecordsRequest),
  apply: checker(ApplyRequest),
  purge: checker(PurgeRequest),
  lock: checker(LockRequest),
  unlock: checker(UnlockRequest),
  report: checker(RepairReport),
};

/** Endpoints the repair job drives; internal, guarded by peer auth like peer traffic, not by client tokens. */
export async function antiEntropyRoutes(
  app: FastifyInstance,
  opts: {
    node: Pick<
      NodeParts,
      "selfId" | "ready" | "config" | "configHash" | "clock" | "metrics" | "storage" | "membership" | "repair"
    >;
  },
): Promise<void> {
  const { node } = opts;
  const { repair } = node;

  // Every body is checked against its message's schema before the node acts on any of it.
  const body = <S extends TSchema>(
    req: FastifyRequest,
    c: Checker<S>,
    what: string,
    code: WireErrorCode = "invalid_request",
  ): Static<S> => {
    let raw: unknown;
    try {
      raw = unpack(req.body as Buffer);
    } catch {
      throw new WireError(code, `${what}: body is not msgpack`);
    }
    return decode(c, raw, code, what);
  };
  const send = (reply: FastifyReply, value: unknown, status = 200) =>
    reply.code(status).type(MSGPACK).send(pack(value));
  const treeOf = (set: string) => {
    const tree = node.membership.trees.tree(set);
    if (!tree)
      throw new HttpError(
        404,
        "unknown_set",
        `this node owns no keys of set '${set}'; re-read ${AE_SUMMARY}`,
      );
    return tree;
  };
  const handle =
    (fn: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown> | unknown) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        return await fn(req, reply);
      } catch (err) {
        // A tree refuses a level or segment out of its range: the request's fault, not the node's.
        if (err instanceof RangeError) throw new HttpError(400, "invalid_request", err.message);
        throw err;
      }
    };

  app.get(AE_SUMMARY, async (): Promise<TreeSummary> => {
    const cfg = node.config();
    return {
      node: node.selfId,
      generation: cfg.generation,
      configHash: node.configHash(),
      ready: node.ready,
      shape: node.membership.trees.shape,
      sets: node.membership.trees.summaries(),
    };
  });

  app.post(
    AE_LEVEL,
    handle((req, reply) => {
      const r = body(req, checks.level, "level request");
      return send(reply, { hashes: treeOf(r.set).hashes(r.level, r.parents) });
    }),
  );

  app.post(
    AE_KEYS,
    handle((req, reply) => {
      const r = body(req, checks.keys, "keys request");
      treeOf(r.set);
      return send(reply, { entries: repair.keysInSegments(r.set, r.segments) });
    }),
  );

  app.post(
    AE_RECORDS,
    handle((req, reply) => {
      const r = body(req, checks.records, "records request");
      return send(reply, {
        records: r.keys.map((k) => {
          const rec = node.storage.read(k);
          return [k, rec ? toTuple(rec) : null];
        }),
      });
    }),
  );

  app.post(
    AE_APPLY,
    { bodyLimit: 1024 * 1024 * 1024 },
    handle(async (req, reply) => {
      const r = body(req, checks.apply, "apply request");
      // Repaired records get the same clock check as peer batches: a version minted by a clock
      // too far ahead is refused (and counted), the rest move our HLC past what we store.
      const maxOffset = node.config().clock.maxOffsetMs;
      let refused = 0;
      const accepted = r.records.filter(([, t]) => {
        const verdict = checkPeerClock(node.clock, t[0], maxOffset);
        if (!verdict.ok) refused++;
        else node.clock.observe(t[0], t[1]);
        return verdict.ok;
      });
      if (refused > 0) node.metrics.clockRefused.inc({ peer: "repair", direction: "in" }, refused);
      const results = await Promise.all(accepted.map(([k, t]) => node.storage.apply(k, fromTuple(t))));
      return send(reply, { applied: results.filter((x) => x.applied).length, refused });
    }),
  );

  app.post(
    AE_PURGE,
    handle(async (req, reply) => {
      const r = body(req, checks.purge, "purge request");
      treeOf(r.set);
      return send(reply, { purged: await repair.purgeTombstones(r.set) });
    }),
  );

  app.post(
    AE_LOCK,
    handle((req, reply) => {
      const r = body(req, checks.lock, "lock request", "invalid_lock");
      const res = repair.lease.acquire(r.holder, r.ttlMs);
      return send(reply, res, res.acquired ? 200 : 409);
    }),
  );

  app.post(
    AE_UNLOCK,
    handle((req, reply) =>
      send(reply, {
        released: repair.lease.release(body(req, checks.unlock, "unlock request", "invalid_lock").holder),
      }),
    ),
  );

  app.post(
    AE_REPORT,
    handle((req, reply) => {
      repair.lastReport = body(req, checks.report, "repair report", "invalid_report");
      return send(reply, { ok: true });
    }),
  );
}
