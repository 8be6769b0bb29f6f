/** The TLS concern: one module per spec.tls.mode; each reports the TLS condition and status.tls. */
import type { TlsMode } from "../../api/tls-types.ts";
import type { ReconcileScope } from "../scope.ts";
import { reconcileAutoTls } from "../tls/auto.ts";
import { reconcileCertManagerTls } from "../tls/cert-manager.ts";
import { reconcileDisabledTls } from "../tls/disabled.ts";
import type { TlsReport } from "../tls/tls-report.ts";
import { reconcileUserSecretTls } from "../tls/user-secret.ts";

const BY_MODE: Record<TlsMode, (scope: ReconcileScope) => Promise<TlsReport>> = {
  Auto: reconcileAutoTls,
  CertManager: reconcileCertManagerTls,
  Secret: reconcileUserSecretTls,
  Disabled: reconcileDisabledTls,
};

export async function reconcileTls(scope: ReconcileScope): Promise<void> {
  scope.report.tls = await BY_MODE[scope.store.spec.tls.mode](scope);
}
