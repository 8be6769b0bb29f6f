/**
 * spec.tls.mode CertManager: apply the Certificate and, once cert-manager has written `<store>-tls`
 * (with ca.crt, as its CA and Vault issuers do), publish that CA as the store's bundle.
 * cert-manager renews the certificate and rewrites the Secret; nodes reload it from their volume.
 */
import { buildCertificate } from "../../builders/tls-certificate.ts";
import { certificateName, tlsSecretName } from "../../builders/tls-names.ts";
import { applyOwned, liveObject } from "../children/apply-owned.ts";
import { apiErrorMessage } from "../controller/api-errors.ts";
import { type ResourceKind, SECRETS } from "../controller/resource-kinds.ts";
import type { ReconcileScope } from "../scope.ts";
import { secretText } from "./secret-data.ts";
import { enabledReport, notReadyReport, publishCa, requeueWithin } from "./tls-common.ts";
import type { TlsReport } from "./tls-report.ts";

export const CERTIFICATES: ResourceKind = {
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  plural: "certificates",
};
/** How often to look for the Secret while cert-manager has not issued yet. */
const PENDING_RECHECK_MS = 10_000;
const NOT_APPLIED_RECHECK_MS = 60_000;

export async function reconcileCertManagerTls(scope: ReconcileScope): Promise<TlsReport> {
  const { store } = scope;
  const certificate = buildCertificate(store, scope.ctx);
  const issuer = store.spec.tls.issuerRef;
  if (!certificate || !issuer) throw new Error("spec.tls.issuerRef is required with mode CertManager");
  const name = certificateName(store);
  const ns = store.metadata.namespace;
  try {
    await applyOwned(scope, CERTIFICATES, certificate);
  } catch (error) {
    requeueWithin(scope, NOT_APPLIED_RECHECK_MS);
    return notReadyReport(
      scope,
      "CertificateNotApplied",
      `could not apply cert-manager Certificate ${name}: ${apiErrorMessage(error)}; is cert-manager (its cert-manager.io/v1 CRDs) installed, and may the operator write Certificates?`,
    );
  }
  const secretName = tlsSecretName(store);
  const secret = await liveObject(scope, SECRETS, secretName);
  const certPem = secretText(secret, "tls.crt");
  const caPem = secretText(secret, "ca.crt");
  if (!certPem || !caPem || !secretText(secret, "tls.key")) {
    // Read it afresh next time instead of from memory: cert-manager writes it, not us.
    scope.live.invalidate(SECRETS, ns, secretName);
    requeueWithin(scope, PENDING_RECHECK_MS);
    const missing = secret ? "has no tls.crt, tls.key and ca.crt yet" : "does not exist yet";
    return notReadyReport(
      scope,
      "CertificatePending",
      `waiting for cert-manager to issue Certificate ${name} from ${issuer.kind} ${issuer.name}: Secret ${secretName} ${missing}; the nodes start once it does (kubectl describe certificate ${name} -n ${ns})`,
    );
  }
  await publishCa(scope, caPem);
  return enabledReport(scope, certPem, `issued by cert-manager ${issuer.kind} ${issuer.name}`);
}
