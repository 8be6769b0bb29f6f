/**
 * `replistore backup create|list|describe|delete`: consistent backups of a store to S3 or a
 * directory. `create` acts as one of the store's peers (like repair): a Job has the nodes' config
 * and TLS directory, a person --endpoint or a `replistore up` store. The others need only the
 * destination. Credentials for S3 come from the AWS variables every S3 tool reads.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { parseQuantity, QUANTITY_HINT } from "../../api/quantity.ts";
import {
  type CatalogEntry,
  deleteBackup,
  describeBackup,
  expiredBackups,
  listBackups,
} from "../../backup/catalog.ts";
import { openDestination } from "../../backup/destination.ts";
import type { BackupManifest } from "../../backup/manifest.ts";
import type { ObjectStore } from "../../backup/object-store.ts";
import { type BackupResult, completedResult, resultMessage } from "../../backup/result.ts";
import { type BackupProgress, createBackup } from "../../backup/run.ts";
import { shapeFromConfig, shapeFromStatus } from "../../backup/store-shape.ts";
import { UserError } from "../../errors.ts";
import { Progress } from "../../repair/progress.ts";
import { defaultTerminationLog, writeTerminationLog } from "../../repair/termination-log.ts";
import { durationMs, type OutputFormat, outputOption, positiveInt } from "../options.ts";
import { formatStructured, writeOut } from "../output.ts";
import { peerTargetOptions, resolvePeerTarget } from "../peer-target.ts";
import { plainTable } from "../table.ts";

interface DestinationFlags {
  destination?: string;
  s3Endpoint?: string;
  s3Region?: string;
  output: OutputFormat;
}

interface CreateFlags extends DestinationFlags {
  id?: string;
  objectSize?: number;
  maxRate?: number;
  keep?: number;
  maxAge?: number;
  /** a path, false for --no-termination-log, undefined for the default */
  terminationLog?: string | false;
  config?: string;
  endpoint?: string;
  store?: string;
  dataDir: string;
  token?: string;
  cacert?: string;
  timeout: number;
}

function objectSize(value: string): number {
  let bytes: number;
  try {
    bytes = parseQuantity(value);
  } catch {
    throw new InvalidArgumentError(`expected ${QUANTITY_HINT}, got "${value}"`);
  }
  if (bytes < 1024 || bytes > 5 * 1024 ** 3)
    throw new InvalidArgumentError(`expected 1Ki to 5Gi, got "${value}"`);
  return bytes;
}

function byteRate(value: string): number {
  try {
    const bytes = parseQuantity(value);
    if (bytes >= 1) return bytes;
  } catch {
    // said below
  }
  throw new InvalidArgumentError(`expected bytes per second such as 20Mi, got "${value}"`);
}

function destinationOf(flags: DestinationFlags): ObjectStore {
  const path = flags.destination ?? (process.env.REPLISTORE_BACKUP_DESTINATION || undefined);
  if (path === undefined) {
    throw new UserError(
      "no destination: pass --destination s3://<bucket>/<path> or file:///<dir> (or set REPLISTORE_BACKUP_DESTINATION)",
    );
  }
  return openDestination({
    path,
    ...(flags.s3Endpoint !== undefined ? { endpoint: flags.s3Endpoint } : {}),
    ...(flags.s3Region !== undefined ? { region: flags.s3Region } : {}),
  });
}

const MB = 1024 * 1024;
function size(bytes: number): string {
  return bytes >= MB ? `${(bytes / MB).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
const count = (n: number) => n.toLocaleString("en-US");

function describeText(m: BackupManifest, url: string): string {
  const nodes = m.nodes.map((n) =>
    n.reached ? `${n.id} (${count(n.records)} records)` : `${n.id} (not reached)`,
  );
  return [
    `backup:       ${m.id}`,
    `store:        ${m.store.namespace ? `${m.store.namespace}/` : ""}${m.store.name} (${m.spec.mode}, ${m.spec.replicas} replicas, N=${m.spec.replication.factor} W=${m.spec.replication.writeQuorum} R=${m.spec.replication.readQuorum})`,
    `where:        ${url}${m.id}/`,
    `cut:          ${m.cut}`,
    `taken:        ${m.startedAt} to ${m.finishedAt} (${(m.durationMs / 1000).toFixed(1)} s)`,
    `keys:         ${count(m.keys)} (+ ${count(m.tombstones)} recent deletes)`,
    `conflicts:    ${count(m.conflicts)} records (pending and resolved, restored with the data)`,
    `size:         ${size(m.bytes)} in ${m.data.length} data objects`,
    `nodes:        ${nodes.join(", ")}`,
    `version:      replistore ${m.replistoreVersion}, format ${m.format}`,
    "",
  ].join("\n");
}

async function create(flags: CreateFlags): Promise<void> {
  const terminationLog =
    flags.terminationLog === false ? undefined : (flags.terminationLog ?? defaultTerminationLog());
  const destinationPath = flags.destination ?? process.env.REPLISTORE_BACKUP_DESTINATION ?? "";
  try {
    await createAndPrune(flags, terminationLog);
  } catch (err) {
    if (terminationLog) {
      const failed: BackupResult = {
        status: "failed",
        id: flags.id ?? "",
        destination: destinationPath,
        error: err instanceof Error ? err.message : String(err),
      };
      writeTerminationLog(terminationLog, resultMessage(failed));
    }
    throw err;
  }
}

async function createAndPrune(flags: CreateFlags, terminationLog: string | undefined): Promise<void> {
  const destination = destinationOf(flags);
  try {
    const target = await resolvePeerTarget(flags);
    const shape = target.config
      ? shapeFromConfig(target.config)
      : await shapeFromStatus(target.urls ?? [], target.members, target.token, target.wire, flags.timeout);
    const progress = new Progress();
    const started = Date.now();
    const manifest = await createBackup({
      store: shape,
      destination,
      ...(flags.id !== undefined ? { id: flags.id } : {}),
      ...(flags.objectSize !== undefined ? { objectBytes: flags.objectSize } : {}),
      ...(flags.maxRate !== undefined ? { maxBytesPerSecond: flags.maxRate } : {}),
      token: target.token,
      wire: target.wire,
      timeoutMs: flags.timeout,
      onNote: (text) => progress.note(`warning: ${text}`),
      onProgress: (p: BackupProgress) =>
        progress.update(
          `backing up ${shape.name}: ${count(p.records)} records, ${p.objects} objects stored, ${((Date.now() - started) / 1000).toFixed(0)} s`,
        ),
    });
    progress.clear();
    // Retention runs only after a backup completed, so a failing schedule never empties the destination.
    const expired = expiredBackups(
      await listBackups(destination),
      { keep: flags.keep, maxAgeMs: flags.maxAge },
      Date.now(),
    );
    const pruned: string[] = [];
    for (const old of expired) {
      await deleteBackup(destination, old.id);
      pruned.push(old.id);
    }
    const result = completedResult(manifest, destination.url, pruned);
    if (terminationLog) {
      const problem = writeTerminationLog(terminationLog, resultMessage(result));
      if (problem) process.stderr.write(`warning: ${problem}\n`);
    }
    if (flags.output !== "text") return writeOut(formatStructured({ ...result, manifest }, flags.output));
    const secs = manifest.durationMs / 1000;
    writeOut(
      `backup ${manifest.id} complete: ${count(manifest.keys)} keys, ${size(manifest.bytes)} in ${secs.toFixed(1)} s` +
        ` (${count(Math.round((manifest.keys + manifest.tombstones) / Math.max(secs, 0.001)))} keys/s)\n` +
        `  at ${destination.url}${manifest.id}/; restore with spec.bootstrap.fromBackup {destination: {path: ${destination.url}}, backupId: ${manifest.id}}\n` +
        (pruned.length > 0 ? `  retention deleted ${pruned.join(", ")}\n` : ""),
    );
  } finally {
    destination.close();
  }
}

async function list(flags: DestinationFlags): Promise<void> {
  const destination = destinationOf(flags);
  try {
    const entries = await listBackups(destination);
    if (flags.output !== "text") return writeOut(formatStructured(entries.map(listItem), flags.output));
    if (entries.length === 0) return writeOut(`no backups at ${destination.url}\n`);
    const table = plainTable(["ID", "STATE", "KEYS", "SIZE", "FINISHED"]);
    for (const e of entries) {
      table.push(
        e.complete
          ? [e.id, "complete", count(e.manifest.keys), size(e.manifest.bytes), e.manifest.finishedAt]
          : [e.id, "incomplete", "-", "-", "-"],
      );
    }
    writeOut(`${table.toString()}\n`);
  } finally {
    destination.close();
  }
}

function listItem(e: CatalogEntry) {
  return e.complete
    ? {
        id: e.id,
        complete: true,
        keys: e.manifest.keys,
        bytes: e.manifest.bytes,
        cut: e.manifest.cut,
        finishedAt: e.manifest.finishedAt,
      }
    : { id: e.id, complete: false, problem: e.problem };
}

async function describe(id: string, flags: DestinationFlags): Promise<void> {
  const destination = destinationOf(flags);
  try {
    const entry = await describeBackup(destination, id);
    if (!entry.complete) {
      if ((await destination.folders("")).includes(id)) {
        throw new UserError(
          `backup ${id} at ${destination.url} is incomplete: ${entry.problem}; it is never offered for restore`,
        );
      }
      throw new UserError(
        `no backup ${id} at ${destination.url}; replistore backup list shows what is there`,
      );
    }
    writeOut(
      flags.output === "text"
        ? describeText(entry.manifest, destination.url)
        : formatStructured(entry.manifest, flags.output),
    );
  } finally {
    destination.close();
  }
}

async function remove(id: string, flags: DestinationFlags): Promise<void> {
  const destination = destinationOf(flags);
  try {
    const objects = await deleteBackup(destination, id);
    if (flags.output !== "text")
      return writeOut(formatStructured({ id, deleted: true, objects }, flags.output));
    writeOut(`deleted backup ${id} (${objects} objects) at ${destination.url}\n`);
  } finally {
    destination.close();
  }
}

function destinationOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        "--destination <url>",
        "s3://<bucket>/<path> or file:///<dir> (else REPLISTORE_BACKUP_DESTINATION)",
      ),
    )
    .addOption(
      new Option(
        "--s3-endpoint <url>",
        "an S3-compatible server (else AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL; default AWS)",
      ),
    )
    .addOption(new Option("--s3-region <region>", "S3 region (else AWS_REGION; default us-east-1)"))
    .addOption(outputOption());
}

export function registerBackup(program: Command): void {
  const backup = program
    .command("backup")
    .description(
      "consistent backups of a store to S3 or a directory (credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_CA_BUNDLE)",
    );
  destinationOptions(
    peerTargetOptions(
      backup
        .command("create")
        .description(
          "back up every key's newest version, the recent deletes and the conflict queue; the manifest is written last",
        )
        .addOption(new Option("--id <id>", "the backup's id (default <store>-<UTC date>-<time>)"))
        .addOption(
          new Option(
            "--object-size <size>",
            "size of each data object, e.g. 8Mi (the default) or 64Mi",
          ).argParser(objectSize),
        )
        .addOption(
          new Option(
            "--max-rate <size>",
            "back up at most this many bytes per second, e.g. 20Mi, to leave the nodes CPU for writes",
          ).argParser(byteRate),
        )
        .addOption(
          new Option("--keep <n>", "retention: then keep at least the newest n complete backups").argParser(
            positiveInt,
          ),
        )
        .addOption(
          new Option(
            "--max-age <duration>",
            "retention: then keep the complete backups younger than this, e.g. 720h",
          ).argParser(durationMs),
        )
        .addOption(
          new Option(
            "--termination-log <path>",
            "also write the JSON result here (default in a pod: /dev/termination-log)",
          ),
        )
        .addOption(new Option("--no-termination-log", "do not write a termination log")),
    ).addOption(
      new Option("--timeout <duration>", "per request to a node, and the longest stall of a node's stream")
        .argParser(durationMs)
        .default(60_000, "60s"),
    ),
  ).action((flags: CreateFlags) => create(flags));
  destinationOptions(
    backup.command("list").description("the backups at the destination, newest complete first"),
  ).action((flags: DestinationFlags) => list(flags));
  destinationOptions(
    backup
      .command("describe")
      .argument("<id>", "a backup id (see list)")
      .description("one backup's manifest: cut, counts, size, nodes"),
  ).action((id: string, flags: DestinationFlags) => describe(id, flags));
  destinationOptions(
    backup
      .command("delete")
      .argument("<id>", "a backup id (see list)")
      .description("delete one backup (its manifest first, so it stops being offered at once)"),
  ).action((id: string, flags: DestinationFlags) => remove(id, flags));
}
