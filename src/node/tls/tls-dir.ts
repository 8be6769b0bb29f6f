/**
 * The node's TLS material, read from a directory laid out like a `kubernetes.io/tls` Secret with
 * `ca.crt` (what the operator's Auto mode, cert-manager and `replistore up` all write). Renewal
 * replaces the files (the kubelet swaps a Secret volume's symlink atomically); the node polls them
 * and takes a new set only when it is whole and consistent, so a half-written renewal never
 * replaces a working certificate.
 */

import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { UserError } from "../../errors.ts";

export const TLS_CERT_FILE = "tls.crt";
export const TLS_KEY_FILE = "tls.key";
export const TLS_CA_FILE = "ca.crt";

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
  /** when the certificate expires, for the metric and the log */
  readonly notAfter: Date;
}

const POLL_MS = 2000;

/** Reads and checks the three files; a UserError says which one is missing or wrong. */
export function readTlsDir(dir: string): TlsMaterial {
  const read = (name: string): Buffer => {
    try {
      return readFileSync(join(dir, name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UserError(
        `TLS: cannot read ${join(dir, name)} (${code === "ENOENT" ? "no such file" : code}); the TLS directory needs ${TLS_CERT_FILE}, ${TLS_KEY_FILE} and ${TLS_CA_FILE}`,
      );
    }
  };
  const cert = read(TLS_CERT_FILE);
  const key = read(TLS_KEY_FILE);
  const ca = read(TLS_CA_FILE);
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(cert);
    new X509Certificate(ca);
  } catch (err) {
    throw new UserError(`TLS: ${dir} holds a file that is not a PEM certificate: ${(err as Error).message}`);
  }
  let matches: boolean;
  try {
    matches = parsed.checkPrivateKey(createPrivateKey(key));
  } catch (err) {
    throw new UserError(
      `TLS: ${join(dir, TLS_KEY_FILE)} is not a PEM private key: ${(err as Error).message}`,
    );
  }
  if (!matches)
    throw new UserError(`TLS: ${join(dir, TLS_KEY_FILE)} is not the key of ${join(dir, TLS_CERT_FILE)}`);
  return { cert, key, ca, notAfter: new Date(parsed.validTo) };
}

/** The material in force, replaced when the files change. */
export class TlsDir {
  private material: TlsMaterial;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((m: TlsMaterial) => void)[] = [];

  readonly dir: string;
  private readonly log: Logger;

  constructor(dir: string, log: Logger) {
    this.dir = dir;
    this.log = log;
    this.material = readTlsDir(dir);
  }

  current(): TlsMaterial {
    return this.material;
  }

  /** `fn` runs after every accepted change. */
  onChange(fn: (m: TlsMaterial) => void): void {
    this.listeners.push(fn);
  }

  start(pollMs = POLL_MS): void {
    this.timer = setInterval(() => this.poll(), pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Public for tests that replace the files and want the reload now rather than at the next tick. */
  poll(): boolean {
    let next: TlsMaterial;
    try {
      next = readTlsDir(this.dir);
    } catch (err) {
      // Mid-swap, or a bad renewal: keep serving the certificate that works.
      this.log.warn(
        { err: (err as Error).message },
        "TLS files unreadable; keeping the certificate in force",
      );
      return false;
    }
    const cur = this.material;
    if (next.cert.equals(cur.cert) && next.key.equals(cur.key) && next.ca.equals(cur.ca)) return false;
    this.material = next;
    this.log.info({ notAfter: next.notAfter.toISOString() }, "TLS certificate reloaded");
    for (const fn of this.listeners) fn(next);
    return true;
  }
}
