/**
 * Fuzzes the node's msgpack routes: the peer batch (POST /internal/v1/batch) and the repair job's
 * anti-entropy POSTs. Bodies come from the src/wire schemas each route is checked with (arbitrary.ts):
 * well-formed messages, messages with parts replaced by arbitrary values, arbitrary msgpack, and
 * bytes that are not msgpack. Every answer must be below 500, have a status the route documents,
 * and match its schema: msgpack for an answer, JSON {error, message} for a refusal.
 */
import fc, { type Arbitrary } from "fast-check";
import { pack, unpack } from "msgpackr";
import type { TSchema } from "typebox";
import Type from "typebox";
import * as ae from "../../src/wire/anti-entropy.ts";
import { ApiErrorBody } from "../../src/wire/api-error.ts";
import { ConflictRecord } from "../../src/wire/conflict.ts";
import { checker } from "../../src/wire/decode.ts";
import { VectorEntry } from "../../src/wire/multi-leader.ts";
import * as peer from "../../src/wire/peer-batch.ts";
import { RecordTuple } from "../../src/wire/record.ts";
import { arbitraryOf } from "./arbitrary.ts";
import type { Answer, Http } from "./http.ts";

interface Route {
  path: string;
  request: TSchema;
  /** The msgpack answer's schema by status; other documented statuses answer a JSON error. */
  answers: Record<number, TSchema>;
  errors: number[];
}

/** Refusals any peer route may answer: malformed (400), no or wrong credentials (401, 403), too large (413). */
const ALWAYS = [400, 401, 403, 413];

const ROUTES: Route[] = [
  {
    path: peer.BATCH_PATH,
    request: peer.BatchRequest,
    answers: { 200: peer.BatchResponse, 409: peer.BatchResponse },
    errors: [503],
  },
  { path: ae.AE_LEVEL, request: ae.LevelRequest, answers: { 200: ae.LevelResponse }, errors: [404] },
  { path: ae.AE_KEYS, request: ae.KeysRequest, answers: { 200: ae.KeysResponse }, errors: [404] },
  { path: ae.AE_RECORDS, request: ae.RecordsRequest, answers: { 200: ae.RecordsResponse }, errors: [] },
  { path: ae.AE_APPLY, request: ae.ApplyRequest, answers: { 200: ae.ApplyResponse }, errors: [] },
  { path: ae.AE_PURGE, request: ae.PurgeRequest, answers: { 200: ae.PurgeResponse }, errors: [404] },
  {
    path: ae.AE_LOCK,
    request: ae.LockRequest,
    answers: { 200: ae.LockResponse, 409: ae.LockResponse },
    errors: [],
  },
  { path: ae.AE_UNLOCK, request: ae.UnlockRequest, answers: { 200: ae.UnlockResponse }, errors: [] },
  { path: ae.AE_REPORT, request: ae.RepairReport, answers: { 200: ae.ReportResponse }, errors: [] },
];

/** What each op of a batch is answered with (peer-batch.ts's PeerResult, op by op). */
const refusal = peer.OpRefusal;
const RESULT_BY_OP: Record<number, TSchema> = {
  [peer.OP_PUT]: Type.Union([peer.PutResult, refusal]),
  [peer.OP_GET]: Type.Union([RecordTuple, Type.Null()]),
  [peer.OP_CONFLICT_PUT]: Type.Tuple([Type.Union([Type.Literal(0), Type.Literal(1)])]),
  [peer.OP_CONFLICT_DIGEST]: Type.Array(Type.Tuple([Type.String(), Type.String()])),
  [peer.OP_CONFLICT_FETCH]: Type.Array(ConflictRecord),
  [peer.OP_ML_PUSH]: Type.Union([Type.Array(VectorEntry), refusal]),
  [peer.OP_ML_VECTOR]: Type.Array(VectorEntry),
  [peer.OP_GET_NEWER]: Type.Union([RecordTuple, peer.VersionResult]),
};
const resultChecks = new Map(Object.entries(RESULT_BY_OP).map(([op, s]) => [Number(op), checker(s)]));
const errorCheck = checker(ApiErrorBody);
const answerChecks = new Map(
  ROUTES.map((r) => [
    r.path,
    new Map(Object.entries(r.answers).map(([s, sch]) => [Number(s), checker(sch)])),
  ]),
);

export interface MsgpackFuzzOptions {
  http: Http;
  /** Wall-clock budget in ms; the run stops starting requests when it is spent. */
  timeMs: number;
  maxCases: number;
  seed: number;
  /** The store's member ids, owner set ids and tree shape, so some messages name real ones. */
  members: string[];
  sets: string[];
  levelSizes: number[];
}

export interface Failure {
  route: string;
  status: number;
  problem: string;
  /** The request body. */
  body: Buffer;
}

export interface FuzzResult {
  cases: number;
  /** Answers by route and status, e.g. {"/internal/v1/batch": {"200": 812, "400": 407}}. */
  byRoute: Record<string, Record<number, number>>;
  failures: Failure[];
}

export async function fuzzMsgpack(opts: MsgpackFuzzOptions): Promise<FuzzResult> {
  const hints: Record<string, Arbitrary<unknown>> = {};
  if (opts.members.length > 0) hints.from = fc.constantFrom(...opts.members);
  if (opts.sets.length > 0) hints.set = fc.constantFrom(...opts.sets);
  const sizes = opts.levelSizes;
  if (sizes.length > 0) {
    // Levels and indices inside the trees, so tree walks get past the range check.
    hints.level = fc.integer({ min: 0, max: sizes.length - 1 });
    hints.segments = fc.array(fc.integer({ min: 0, max: sizes[0]! - 1 }), { maxLength: 6 });
    hints.parents = fc.array(fc.integer({ min: 0, max: (sizes[1] ?? 1) - 1 }), { maxLength: 6 });
  }
  const bodies = ROUTES.map((r) =>
    fc.oneof(
      { weight: 5, arbitrary: arbitraryOf(r.request, { hints }).map((v) => pack(v)) },
      { weight: 4, arbitrary: arbitraryOf(r.request, { hints, chaos: 0.04 }).map((v) => pack(v)) },
      { weight: 1, arbitrary: fc.anything().map((v) => pack(v)) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
    ),
  );
  const result: FuzzResult = { cases: 0, byRoute: {}, failures: [] };
  const deadline = Date.now() + opts.timeMs;
  let seed = opts.seed;
  while (Date.now() < deadline && result.cases < opts.maxCases) {
    // A round: a few bodies per route, sent 4 at a time, as several peers and a repair job would.
    const round = ROUTES.flatMap((route, i) =>
      fc.sample(bodies[i]!, { numRuns: 4, seed: seed++ }).map((body) => ({ route, body: body as Buffer })),
    );
    for (let k = 0; k < round.length; k += 4) {
      await Promise.all(
        round.slice(k, k + 4).map(async ({ route, body }) => {
          const res = await opts.http.request("POST", route.path, body, { "content-type": peer.MSGPACK });
          const problem = verdict(route.path, body, res);
          result.cases++;
          const counts = result.byRoute[route.path] ?? {};
          counts[res.status] = (counts[res.status] ?? 0) + 1;
          result.byRoute[route.path] = counts;
          if (problem) {
            result.failures.push({
              route: route.path,
              status: problem.status,
              problem: problem.what,
              body,
            });
          }
        }),
      );
    }
  }
  return result;
}

/**
 * Routes that never answered with a message, only refusals: the run did not get past their checks
 * (wrong peer credentials, or generation that no longer makes valid messages), so it proved nothing there.
 */
export function unreached(byRoute: FuzzResult["byRoute"]): string[] {
  return ROUTES.filter((r) =>
    Object.keys(r.answers).every((status) => (byRoute[r.path]?.[Number(status)] ?? 0) === 0),
  ).map((r) => r.path);
}

/** What is wrong with the answer `res` to `body` on `route`, or undefined. */
export function verdict(
  path: string,
  body: Buffer,
  res: Answer,
): { status: number; what: string } | undefined {
  const route = ROUTES.find((r) => r.path === path);
  const answers = answerChecks.get(path);
  if (!route || !answers) throw new Error(`hack/fuzz: ${path} is not a msgpack route`);
  const type = res.headers["content-type"] ?? "";
  const fail = (what: string) => ({ status: res.status, what });
  if (res.status >= 500 && !route.errors.includes(res.status))
    return fail(`server error: ${res.body.toString("utf8").slice(0, 300)}`);
  const answer = answers.get(res.status);
  if (answer) {
    if (!type.startsWith(peer.MSGPACK)) return fail(`content-type ${type}, expected ${peer.MSGPACK}`);
    let value: unknown;
    try {
      value = unpack(res.body);
    } catch {
      return fail("answer is not msgpack");
    }
    if (!answer.check(value)) return fail(`answer outside its schema: ${answer.explain(value, "answer")}`);
    if (route.path === peer.BATCH_PATH) return batchResults(body, value as peer.BatchResponse, fail);
    return undefined;
  }
  if (![...ALWAYS, ...route.errors].includes(res.status)) return fail(`undocumented status ${res.status}`);
  if (!type.startsWith("application/json")) return fail(`error with content-type ${type}, expected JSON`);
  let error: unknown;
  try {
    error = JSON.parse(res.body.toString("utf8"));
  } catch {
    return fail("error body is not JSON");
  }
  if (!errorCheck.check(error))
    return fail(`error outside its schema: ${errorCheck.explain(error, "error")}`);
  return undefined;
}

/** Each op's answer against its op's result schema; a refused batch has none. */
function batchResults(
  body: Buffer,
  res: peer.BatchResponse,
  fail: (what: string) => { status: number; what: string },
): { status: number; what: string } | undefined {
  if (res.refused) return res.results === undefined ? undefined : fail("a refused batch carries results");
  const ops = (unpack(body) as { ops: unknown[][] }).ops;
  if (!res.results || res.results.length !== ops.length)
    return fail(`${ops.length} ops answered with ${res.results?.length ?? "no"} results`);
  for (const [i, op] of ops.entries()) {
    const check = resultChecks.get(op[0] as number);
    if (check && !check.check(res.results[i]))
      return fail(
        `result of op ${i} (${peer.OP_NAMES[op[0] as number]}): ${check.explain(res.results[i], `results[${i}]`)}`,
      );
  }
  return undefined;
}
