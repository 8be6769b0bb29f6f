/** `replistore status`: the store as one node sees it, plus each member's own role and pending hints. */
import type { Command } from "commander";
import { decodeStatus } from "../../client/decode-answer.ts";
import { callStore, type StoreResponse } from "../client.ts";
import { formatStructured, writeOut } from "../output.ts";
import { type MemberSelfReport, readSelfReport, readStatus, renderStatus } from "../status-view.ts";
import type { Target } from "../target.ts";
import { addClientOptions, type ClientFlags, targetOf } from "../target-options.ts";

const MEMBER_TIMEOUT_MS = 1_500;

const statusOf = (res: StoreResponse) => decodeStatus(res, res.url);

async function selfReport(target: Target, url: string): Promise<MemberSelfReport | undefined> {
  try {
    const res = await callStore({ ...target, urls: [url] }, "GET", "/v1/status", {
      timeoutMs: MEMBER_TIMEOUT_MS,
    });
    return readSelfReport(statusOf(res));
  } catch {
    return undefined; // shown as unreachable; the answering node's HEALTHY column says more
  }
}

async function status(flags: ClientFlags): Promise<void> {
  const target = targetOf(flags, "read");
  const body = statusOf(await callStore(target, "GET", "/v1/status", { timeoutMs: flags.timeout }));
  if (flags.output !== "text") {
    writeOut(formatStructured(body, flags.output));
    return;
  }
  const view = readStatus(body);
  const reports = new Map<string, MemberSelfReport | undefined>();
  await Promise.all(
    view.members.map(async (m) => {
      reports.set(m.id, m.self ? readSelfReport(body) : await selfReport(target, m.url));
    }),
  );
  writeOut(renderStatus(view, reports));
}

export function registerStatus(program: Command): void {
  addClientOptions(
    program.command("status").description("show the store's members, health, hints and clocks"),
  ).action((flags: ClientFlags) => status(flags));
}
