/**
 * What every TLS mode shares once it has a certificate: publishing the CA bundle ConfigMap, the TLS
 * condition saying the mode and the expiry, and a reconcile queued for when to look again.
 */
import { caConfigMapName, tlsSecretName } from "../../builders/tls-names.ts";
import { buildCaConfigMap } from "../../builders/tls-objects.ts";
import { certificateFacts } from "../../tls/pki.ts";
import { applyOwned } from "../children/apply-owned.ts";
import { CONFIG_MAPS } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { kubeTime } from "../status/conditions.ts";
import type { TlsReport } from "./tls-report.ts";

/** setTimeout's ceiling is ~24.8 days; a resync comes well before that anyway. */
const MAX_REQUEUE_MS = 24 * 60 * 60 * 1000;

/** Reconcile again within `ms`, keeping any sooner requeue another concern asked for. */
export function requeueWithin(scope: ReconcileScope, ms: number): void {
  const bounded = Math.min(Math.max(ms, 1_000), MAX_REQUEUE_MS);
  const current = scope.report.requeueAfterMs;
  scope.report.requeueAfterMs = current === undefined ? bounded : Math.min(current, bounded);
}

export async function publishCa(scope: ReconcileScope, caPem: string): Promise<void> {
  await applyOwned(scope, CONFIG_MAPS, buildCaConfigMap(scope.store, caPem));
}

/** TLS True: which mode, which Secret, until when, and what clients trust. */
export function enabledReport(scope: ReconcileScope, certPem: string, source: string): TlsReport {
  const { store } = scope;
  const mode = store.spec.tls.mode;
  const secretName = tlsSecretName(store);
  const notAfter = kubeTime(certificateFacts(certPem).notAfter);
  return {
    condition: {
      type: "TLS",
      status: "True",
      reason: mode,
      message: `mode ${mode}: nodes serve HTTPS and authenticate peers with the certificate in Secret ${secretName} (${source}), valid until ${notAfter}; clients trust ConfigMap ${caConfigMapName(store)} (key ca.crt)`,
    },
    status: { mode, secretName, notAfter, caConfigMap: caConfigMapName(store) },
  };
}

/** TLS False for a mode that cannot serve yet (no certificate, a bad Secret). */
export function notReadyReport(scope: ReconcileScope, reason: string, message: string): TlsReport {
  const { mode } = scope.store.spec.tls;
  return {
    condition: { type: "TLS", status: "False", reason, message },
    status: { mode, secretName: tlsSecretName(scope.store) },
  };
}
