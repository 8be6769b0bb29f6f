/**
 * A small certificate authority: what the operator's `spec.tls.mode: Auto` and `replistore up` use
 * to give a store its own CA and the one certificate every node of it serves (and presents to its
 * peers). ECDSA P-256 keys: signing and handshakes are several times cheaper than RSA-2048's.
 * Pure apart from randomness: callers decide where the PEM ends up (a Secret, a data dir).
 */
// @peculiar/x509 resolves its ASN.1 handlers through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import { X509Certificate as NodeX509, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Clocks differ between the issuer and the verifier; a certificate valid from "now" may not be yet. */
const BACKDATE_MS = 5 * 60 * 1000;

export const CA_VALIDITY_MS = 3650 * DAY_MS;
export const CERT_VALIDITY_MS = 90 * DAY_MS;

export interface KeyPairPem {
  /** PEM, one certificate */
  certPem: string;
  /** PEM, PKCS#8 */
  keyPem: string;
}

export interface CertificateRequest {
  commonName: string;
  dnsNames: readonly string[];
  ipAddresses?: readonly string[];
  validityMs?: number;
  now?: Date;
}

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const crypto = webcrypto;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

async function newKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey("pkcs8", key);
  return pemFile(x509.PemConverter.encode(der, "PRIVATE KEY"));
}

/** PEM as files carry it, ending in a newline: bundles made by concatenation (`cat a b`) stay valid. */
function pemFile(pem: string): string {
  return pem.endsWith("\n") ? pem : `${pem}\n`;
}

/** A self-signed CA for one store, e.g. `replistore orders CA`. */
export async function createCa(
  commonName: string,
  validityMs = CA_VALIDITY_MS,
  now = new Date(),
): Promise<KeyPairPem> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [commonName] }, { O: ["replistore"] }],
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + validityMs),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: pemFile(cert.toString("pem")), keyPem: await keyPem(keys.privateKey) };
}

/**
 * A leaf certificate signed by `ca`, usable both to serve (serverAuth) and to authenticate to a
 * peer (clientAuth): nodes present the same certificate in both directions.
 */
export async function issueCertificate(ca: KeyPairPem, req: CertificateRequest): Promise<KeyPairPem> {
  const now = req.now ?? new Date();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await crypto.subtle.importKey(
    "pkcs8",
    x509.PemConverter.decodeFirst(ca.keyPem),
    ALGORITHM,
    false,
    ["sign"],
  );
  const keys = await newKeys();
  const names: x509.JsonGeneralName[] = [
    ...req.dnsNames.map((value) => ({ type: "dns" as const, value })),
    ...(req.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    subject: [{ CN: [req.commonName] }, { O: ["replistore"] }],
    issuer: caCert.subjectName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + (req.validityMs ?? CERT_VALIDITY_MS)),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: pemFile(cert.toString("pem")), keyPem: await keyPem(keys.privateKey) };
}

export interface CertificateFacts {
  notBefore: Date;
  notAfter: Date;
  /** DNS names and IP addresses it is valid for */
  dnsNames: string[];
  ipAddresses: string[];
}

/** What a PEM certificate says about itself; throws on text that is not one. */
export function certificateFacts(certPem: string): CertificateFacts {
  const cert = new NodeX509(certPem);
  const alt = (cert.subjectAltName ?? "").split(", ").filter((s) => s !== "");
  return {
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    dnsNames: alt.filter((s) => s.startsWith("DNS:")).map((s) => s.slice(4)),
    ipAddresses: alt.filter((s) => s.startsWith("IP Address:")).map((s) => s.slice(11)),
  };
}

/** Whether `certPem` was signed by the CA `caPem`. */
export function signedBy(certPem: string, caPem: string): boolean {
  return new NodeX509(certPem).verify(new NodeX509(caPem).publicKey);
}

/**
 * Renew once two thirds of the lifetime have passed (cert-manager's default too): a month ahead
 * for a 90-day certificate, so a stopped operator has weeks to come back before anything expires.
 */
export function renewalDue(certPem: string, now = new Date()): boolean {
  const { notBefore, notAfter } = certificateFacts(certPem);
  const life = notAfter.getTime() - notBefore.getTime();
  return now.getTime() >= notBefore.getTime() + (life * 2) / 3;
}

/** Whether the SANs of `certPem` include every one of `dnsNames` (wildcards as TLS matches them). */
export function coversNames(certPem: string, dnsNames: readonly string[]): boolean {
  const cert = new NodeX509(certPem);
  return dnsNames.every((name) => cert.checkHost(name) !== undefined);
}
