/**
 * spec.tls: how a store's nodes get their certificate. One certificate per store serves every node
 * as its server certificate and as its peer (client) certificate; see docs/manifest.md.
 */
import Type, { type Static } from "typebox";
import { DNS_SUBDOMAIN_PATTERN, StringEnum } from "./schema-types.ts";

const strict = { additionalProperties: false } as const;

export const TLS_MODES = ["Auto", "CertManager", "Secret", "Disabled"] as const;
export type TlsMode = (typeof TLS_MODES)[number];

export const IssuerRef = Type.Object(
  {
    name: Type.String({
      pattern: DNS_SUBDOMAIN_PATTERN,
      maxLength: 253,
      description: "Name of the cert-manager Issuer or ClusterIssuer that signs the store's certificate.",
    }),
    kind: StringEnum(["Issuer", "ClusterIssuer"], {
      default: "Issuer",
      description: "Issuer (in the store's namespace) or ClusterIssuer.",
    }),
    group: Type.String({
      minLength: 1,
      maxLength: 253,
      default: "cert-manager.io",
      description: "API group of the issuer; another group for an external issuer.",
    }),
  },
  { ...strict, description: "The cert-manager issuer. Required with mode CertManager, forbidden otherwise." },
);
export type IssuerRef = Static<typeof IssuerRef>;

export const Tls = Type.Object(
  {
    mode: StringEnum([...TLS_MODES], {
      default: "Auto",
      description:
        "Auto: the operator runs a CA per store and issues and renews the nodes' certificate. CertManager: cert-manager issues it from issuerRef. Secret: secretName names a Secret you provide. Disabled: plain HTTP (a Warning event and condition say so); peers then authenticate with a per-store secret.",
    }),
    issuerRef: Type.Optional(IssuerRef),
    secretName: Type.Optional(
      Type.String({
        pattern: DNS_SUBDOMAIN_PATTERN,
        maxLength: 253,
        description:
          "Mode Secret only: a Secret in the store's namespace with tls.crt, tls.key and ca.crt (a kubernetes.io/tls Secret with the CA). Its certificate must cover the SANs listed in docs/manifest.md and allow serverAuth and clientAuth.",
      }),
    ),
  },
  { ...strict, default: {}, description: "TLS for clients and peers (on by default)." },
);
export type Tls = Static<typeof Tls>;

export const TlsStatus = Type.Object(
  {
    mode: StringEnum([...TLS_MODES], { description: "The mode in force." }),
    secretName: Type.Optional(
      Type.String({ description: "The Secret the nodes mount (tls.crt, tls.key, ca.crt)." }),
    ),
    notAfter: Type.Optional(
      Type.String({ format: "date-time", description: "When the nodes' certificate expires." }),
    ),
    caConfigMap: Type.Optional(
      Type.String({
        description: "ConfigMap whose ca.crt clients trust (curl --cacert, REPLISTORE_CACERT).",
      }),
    ),
  },
  { ...strict, description: "TLS as the operator found it." },
);
export type TlsStatus = Static<typeof TlsStatus>;
