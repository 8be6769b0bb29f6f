/**
 * spec.tls.mode Secret: the user's Secret is mounted as it is. The operator only checks it (present,
 * the three keys, a certificate it can read that covers the store's names) and publishes its ca.crt;
 * a bad Secret is a condition and an event, looked at again every 30 s, never a crash loop.
 */
import { certificateDnsNames, tlsSecretName } from "../../builders/tls-names.ts";
import { coversNames } from "../../tls/pki.ts";
import { liveObject } from "../children/apply-owned.ts";
import { SECRETS } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { secretText } from "./secret-data.ts";
import { enabledReport, notReadyReport, publishCa, requeueWithin } from "./tls-common.ts";
import type { TlsReport } from "./tls-report.ts";

const RECHECK_MS = 30_000;
const KEYS = ["tls.crt", "tls.key", "ca.crt"] as const;

function invalid(scope: ReconcileScope, name: string, why: string): TlsReport {
  // The user fixes it, not us: read it afresh next time.
  scope.live.invalidate(SECRETS, scope.store.metadata.namespace, name);
  requeueWithin(scope, RECHECK_MS);
  return notReadyReport(
    scope,
    "SecretInvalid",
    `spec.tls.secretName: Secret ${name} ${why}; the nodes cannot start until it holds tls.crt, tls.key and ca.crt (kubectl create secret generic ${name} -n ${scope.store.metadata.namespace} --from-file=tls.crt --from-file=tls.key --from-file=ca.crt)`,
  );
}

export async function reconcileUserSecretTls(scope: ReconcileScope): Promise<TlsReport> {
  const { store } = scope;
  const name = tlsSecretName(store);
  const secret = await liveObject(scope, SECRETS, name);
  if (!secret) return invalid(scope, name, "does not exist");
  const missing = KEYS.filter((key) => secretText(secret, key) === undefined);
  if (missing.length > 0) return invalid(scope, name, `lacks ${missing.join(", ")}`);
  const certPem = secretText(secret, "tls.crt") ?? "";
  const caPem = secretText(secret, "ca.crt") ?? "";
  let covered: boolean;
  try {
    covered = coversNames(certPem, certificateDnsNames(store, scope.ctx));
  } catch {
    return invalid(scope, name, "has a tls.crt that is not a PEM certificate");
  }
  if (!covered) {
    return invalid(
      scope,
      name,
      `has a certificate that does not cover ${certificateDnsNames(store, scope.ctx).join(", ")}`,
    );
  }
  await publishCa(scope, caPem);
  return enabledReport(scope, certPem, "provided by you");
}
