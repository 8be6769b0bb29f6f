/**
 * spec.tls.mode Disabled: plain HTTP, said loudly (a False TLS condition, a TLSDisabled Warning
 * event). Peers still authenticate each other with a per-store secret, never a client token: the
 * `<store>-peer` Secret, made once with a random value and never rewritten.
 */
import { randomBytes } from "node:crypto";
import { caConfigMapName, peerSecretName } from "../../builders/tls-names.ts";
import { buildPeerSecret } from "../../builders/tls-objects.ts";
import { deleteOwned, liveObject } from "../children/apply-owned.ts";
import { CONFIG_MAPS, SECRETS } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import type { TlsReport } from "./tls-report.ts";

async function ensurePeerSecret(scope: ReconcileScope): Promise<void> {
  const { namespace, uid } = scope.store.metadata;
  const name = peerSecretName(scope.store);
  if (await liveObject(scope, SECRETS, name)) return;
  const outcome = await scope.applier.createIfAbsent(
    buildPeerSecret(scope.store, randomBytes(32).toString("base64url")),
  );
  // Remembered without the value: only its existence matters here.
  scope.live.remember(uid, SECRETS, namespace, name, { metadata: { name, namespace } });
  if (outcome === "created") scope.report.written.push({ verb: "created", kind: "Secret", name });
}

export async function reconcileDisabledTls(scope: ReconcileScope): Promise<TlsReport> {
  await ensurePeerSecret(scope);
  // No CA to trust any more: a stale bundle would only mislead clients.
  await deleteOwned(scope, CONFIG_MAPS, caConfigMapName(scope.store));
  return {
    condition: {
      type: "TLS",
      status: "False",
      reason: "Disabled",
      message: `spec.tls.mode is Disabled: clients, peers and Prometheus talk to the nodes in plain HTTP, readable and alterable by anyone on the pod network; peers authenticate with the secret in Secret ${peerSecretName(scope.store)}. Set spec.tls.mode: Auto to encrypt`,
    },
    status: { mode: "Disabled" },
  };
}
