import { X509Certificate } from "node:crypto";
import { createSecureContext } from "node:tls";
import { describe, expect, it } from "vitest";
import {
  certificateFacts,
  coversNames,
  createCa,
  issueCertificate,
  renewalDue,
  signedBy,
} from "../../../src/tls/pki.ts";

const DAY = 24 * 60 * 60 * 1000;

describe("pki", () => {
  it("issues a leaf certificate for the names asked, signed by the store's CA and usable both ways", async () => {
    const ca = await createCa("replistore orders CA");
    const leaf = await issueCertificate(ca, {
      commonName: "orders",
      dnsNames: ["*.orders-peers.shop.svc", "orders.shop.svc"],
      ipAddresses: ["127.0.0.1"],
    });
    expect(signedBy(leaf.certPem, ca.certPem)).toBe(true);
    expect(certificateFacts(leaf.certPem)).toMatchObject({
      dnsNames: ["*.orders-peers.shop.svc", "orders.shop.svc"],
      ipAddresses: ["127.0.0.1"],
    });
    expect(coversNames(leaf.certPem, ["orders-2.orders-peers.shop.svc", "orders.shop.svc"])).toBe(true);
    expect(coversNames(leaf.certPem, ["orders.other.svc"])).toBe(false);
    const parsed = new X509Certificate(leaf.certPem);
    expect(parsed.ca).toBe(false);
    expect(parsed.keyUsage).toEqual(expect.arrayContaining(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]));
    expect(new X509Certificate(ca.certPem).ca).toBe(true);
    expect(
      parsed.checkPrivateKey(await import("node:crypto").then((c) => c.createPrivateKey(leaf.keyPem))),
    ).toBe(true);
  });

  it("certificates joined as files are (`cat a.crt b.crt`) make a bundle TLS accepts", async () => {
    const [a, b] = await Promise.all([createCa("a"), createCa("b")]);
    expect(() => createSecureContext({ ca: a.certPem + b.certPem })).not.toThrow();
    const leaf = await issueCertificate(a, { commonName: "x", dnsNames: ["x"] });
    expect(() => createSecureContext({ cert: leaf.certPem + a.certPem, key: leaf.keyPem })).not.toThrow();
  });

  it("a certificate from another CA is not signed by this one", async () => {
    const [a, b] = await Promise.all([createCa("a"), createCa("b")]);
    const leaf = await issueCertificate(a, { commonName: "x", dnsNames: ["x"] });
    expect(signedBy(leaf.certPem, b.certPem)).toBe(false);
  });

  it("is due for renewal after two thirds of its life, not before", async () => {
    const ca = await createCa("ca");
    const now = new Date("2026-01-01T00:00:00Z");
    const leaf = await issueCertificate(ca, { commonName: "x", dnsNames: ["x"], validityMs: 90 * DAY, now });
    expect(renewalDue(leaf.certPem, new Date(now.getTime() + 55 * DAY))).toBe(false);
    expect(renewalDue(leaf.certPem, new Date(now.getTime() + 61 * DAY))).toBe(true);
  });
});
