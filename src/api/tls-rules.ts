/** Which spec.tls fields go with which mode (CEL for the CRD, TypeScript for `replistore up`). */
import type { CrossFieldRule } from "./cross-field-rule.ts";

export const TLS_RULES: readonly CrossFieldRule[] = [
  {
    id: "tls-issuer-ref-with-cert-manager",
    field: "spec.tls.issuerRef",
    cel: "(self.tls.mode == 'CertManager') == has(self.tls.issuerRef)",
    message:
      "spec.tls.issuerRef is required with spec.tls.mode CertManager and not allowed with any other mode: add issuerRef {name, kind} or change the mode",
    holds: (spec) => (spec.tls.mode === "CertManager") === (spec.tls.issuerRef !== undefined),
    explain: (spec) =>
      spec.tls.mode === "CertManager"
        ? "spec.tls.issuerRef is required with spec.tls.mode CertManager: name the cert-manager Issuer or ClusterIssuer, e.g. issuerRef: {name: my-ca, kind: ClusterIssuer}"
        : `spec.tls.issuerRef is only allowed with spec.tls.mode CertManager (mode is ${spec.tls.mode}): remove issuerRef or set mode: CertManager`,
  },
  {
    id: "tls-secret-name-with-secret",
    field: "spec.tls.secretName",
    cel: "(self.tls.mode == 'Secret') == has(self.tls.secretName)",
    message:
      "spec.tls.secretName is required with spec.tls.mode Secret and not allowed with any other mode: name your Secret (tls.crt, tls.key, ca.crt) or change the mode",
    holds: (spec) => (spec.tls.mode === "Secret") === (spec.tls.secretName !== undefined),
    explain: (spec) =>
      spec.tls.mode === "Secret"
        ? "spec.tls.secretName is required with spec.tls.mode Secret: name a Secret in the store's namespace holding tls.crt, tls.key and ca.crt"
        : `spec.tls.secretName is only allowed with spec.tls.mode Secret (mode is ${spec.tls.mode}): remove secretName or set mode: Secret`,
  },
];
