/**
 * `kubectl replistore backup create|list|describe|delete`: backups of a store in a cluster, as
 * ReplicatedStoreBackup resources the operator runs (docs/backup.md). `create` follows the backup
 * until it ends, printing each phase; the others read and delete the resources. A backup's data
 * lives at its destination: deleting the resource leaves it there (retention, or `replistore
 * backup delete`, removes it).
 */
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import {
  BACKUP_KIND,
  BACKUP_PLURAL,
  type ReplicatedStoreBackupStatus,
} from "../../../api/backup-resource.ts";
import { API_VERSION, GROUP, VERSION } from "../../../api/names.ts";
import { backupIdFor } from "../../../backup/backup-id.ts";
import { UserError } from "../../../errors.ts";
import type { OutputFormat } from "../../options.ts";
import { formatStructured, writeOut } from "../../output.ts";
import { plainTable } from "../../table.ts";
import { kubeCall, progress, sleep } from "./kube-calls.ts";
import { type KubeFlags, loadKubeConfigFor } from "./kube-target.ts";

export interface BackupObject {
  metadata?: { name?: string; namespace?: string; creationTimestamp?: string | Date };
  spec?: { storeName?: string; destination?: { path?: string } };
  status?: ReplicatedStoreBackupStatus;
}

interface Target {
  api: CustomObjectsApi;
  namespace: string;
}

function target(flags: KubeFlags): Target {
  const kc: KubeConfig = loadKubeConfigFor(flags);
  const namespace = flags.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
  return { api: kc.makeApiClient(CustomObjectsApi), namespace };
}

const resource = { group: GROUP, version: VERSION, plural: BACKUP_PLURAL };
const MISSING_CRD =
  "is the replistore operator (with its ReplicatedStoreBackup CRD) installed? see docs/install.md";

function size(bytes: number | undefined): string {
  if (bytes === undefined) return "-";
  return bytes >= 1024 ** 2 ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export interface CreateFlags extends KubeFlags {
  name?: string;
  wait: boolean;
  output: OutputFormat;
  pollMs?: number;
}

export async function backupCreate(store: string, flags: CreateFlags): Promise<void> {
  const { api, namespace } = target(flags);
  await kubeCall(
    {
      verb: "get",
      resource: "replicatedstores",
      namespace,
      missing: `no ReplicatedStore ${store} in namespace ${namespace}: see kubectl get rstore -A, and pass -n NAMESPACE`,
    },
    () =>
      api.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: "replicatedstores",
        namespace,
        name: store,
      }),
  );
  const name = flags.name ?? backupIdFor(store, new Date());
  await kubeCall({ verb: "create", resource: BACKUP_PLURAL, namespace, missing: MISSING_CRD }, () =>
    api.createNamespacedCustomObject({
      ...resource,
      namespace,
      body: { apiVersion: API_VERSION, kind: BACKUP_KIND, metadata: { name }, spec: { storeName: store } },
    }),
  );
  if (flags.output === "text") progress(`replicatedstorebackup/${name} created`);
  if (!flags.wait) {
    if (flags.output !== "text")
      writeOut(formatStructured({ name, namespace, phase: "Pending" }, flags.output));
    return;
  }
  const deadline = Date.now() + flags.timeout;
  let shown = "";
  for (;;) {
    const b = (await kubeCall({ verb: "get", resource: BACKUP_PLURAL, namespace }, () =>
      api.getNamespacedCustomObject({ ...resource, namespace, name }),
    )) as BackupObject;
    const phase = b.status?.phase ?? "Pending";
    const line = `${name}: ${phase}${b.status?.message ? ` (${b.status.message})` : ""}`;
    if (line !== shown && flags.output === "text") progress(line);
    shown = line;
    if (phase === "Completed" || phase === "Failed") {
      if (flags.output !== "text") writeOut(formatStructured({ name, namespace, ...b.status }, flags.output));
      else if (phase === "Completed") writeOut(describeText(b));
      if (phase === "Failed")
        throw new UserError(`backup ${name} failed: ${b.status?.message ?? "see kubectl describe rsbackup"}`);
      return;
    }
    if (Date.now() > deadline) {
      throw new UserError(
        `backup ${name} is still ${phase} after ${Math.round(flags.timeout / 1000)}s; it goes on: kubectl get rsbackup ${name} -n ${namespace} -w`,
      );
    }
    await sleep(flags.pollMs ?? 2_000);
  }
}

export interface ListFlags extends KubeFlags {
  output: OutputFormat;
}

export async function backupList(store: string | undefined, flags: ListFlags): Promise<void> {
  const { api, namespace } = target(flags);
  const list = (await kubeCall(
    { verb: "list", resource: BACKUP_PLURAL, namespace, missing: MISSING_CRD },
    () => api.listNamespacedCustomObject({ ...resource, namespace }),
  )) as { items: BackupObject[] };
  const items = list.items
    .filter((b) => store === undefined || b.spec?.storeName === store)
    .sort((a, b) => (String(a.metadata?.name) < String(b.metadata?.name) ? 1 : -1));
  if (flags.output !== "text") {
    writeOut(
      formatStructured(
        items.map((b) => ({ name: b.metadata?.name, store: b.spec?.storeName, ...b.status })),
        flags.output,
      ),
    );
    return;
  }
  if (items.length === 0) {
    writeOut(`no backups${store ? ` of ${store}` : ""} in namespace ${namespace}\n`);
    return;
  }
  const table = plainTable(["NAME", "STORE", "PHASE", "KEYS", "SIZE", "COMPLETED"]);
  for (const b of items) {
    const s = b.status ?? {};
    table.push([
      b.metadata?.name ?? "",
      b.spec?.storeName ?? "",
      s.phase ?? "Pending",
      s.keys?.toLocaleString("en-US") ?? "-",
      size(s.bytes),
      s.completedAt ?? "-",
    ]);
  }
  writeOut(`${table.toString()}\n`);
}

function describeText(b: BackupObject): string {
  const s = b.status ?? {};
  const lines = [
    `backup:       ${b.metadata?.name}`,
    `store:        ${b.spec?.storeName}`,
    `phase:        ${s.phase ?? "Pending"}${s.message ? ` (${s.message})` : ""}`,
  ];
  if (s.destination) lines.push(`where:        ${s.destination}${s.backupId ?? b.metadata?.name}/`);
  if (s.cut) lines.push(`cut:          ${s.cut}`);
  if (s.startedAt)
    lines.push(
      `taken:        ${s.startedAt}${s.completedAt ? ` to ${s.completedAt}` : ""}${s.durationSeconds !== undefined ? ` (${s.durationSeconds.toFixed(1)} s)` : ""}`,
    );
  if (s.keys !== undefined)
    lines.push(`keys:         ${s.keys.toLocaleString("en-US")} (+ ${s.tombstones ?? 0} recent deletes)`);
  if (s.conflicts !== undefined) lines.push(`conflicts:    ${s.conflicts}`);
  if (s.bytes !== undefined) lines.push(`size:         ${size(s.bytes)}`);
  if (s.jobName) lines.push(`job:          ${s.jobName}`);
  return `${lines.join("\n")}\n`;
}

export async function backupDescribe(name: string, flags: ListFlags): Promise<void> {
  const { api, namespace } = target(flags);
  const b = (await kubeCall(
    {
      verb: "get",
      resource: BACKUP_PLURAL,
      namespace,
      missing: `no ReplicatedStoreBackup ${name} in namespace ${namespace}: kubectl replistore backup list -n ${namespace}`,
    },
    () => api.getNamespacedCustomObject({ ...resource, namespace, name }),
  )) as BackupObject;
  writeOut(flags.output === "text" ? describeText(b) : formatStructured(b, flags.output));
}

export async function backupDelete(name: string, flags: ListFlags): Promise<void> {
  const { api, namespace } = target(flags);
  const b = (await kubeCall(
    {
      verb: "get",
      resource: BACKUP_PLURAL,
      namespace,
      missing: `no ReplicatedStoreBackup ${name} in namespace ${namespace}`,
    },
    () => api.getNamespacedCustomObject({ ...resource, namespace, name }),
  )) as BackupObject;
  await kubeCall({ verb: "delete", resource: BACKUP_PLURAL, namespace }, () =>
    api.deleteNamespacedCustomObject({ ...resource, namespace, name }),
  );
  const where = b.status?.destination ? `${b.status.destination}${b.status.backupId ?? name}/` : undefined;
  if (flags.output !== "text") {
    writeOut(
      formatStructured(
        { name, namespace, deleted: true, ...(where ? { dataKeptAt: where } : {}) },
        flags.output,
      ),
    );
    return;
  }
  writeOut(
    `replicatedstorebackup/${name} deleted` +
      (where
        ? `; its data stays at ${where} until retention removes it (now: replistore backup delete ${b.status?.backupId ?? name} --destination ${b.status?.destination})\n`
        : "\n"),
  );
}
