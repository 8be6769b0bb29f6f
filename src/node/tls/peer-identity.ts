/**
 * Who counts as a peer over mutual TLS: a client certificate the store's CA verified (the TLS
 * layer did that: `authorized`) that is also valid for the host of one of the members' peer
 * URLs. A node's own certificate is, by construction (its SANs cover the pod names under the
 * headless Service); a certificate issued to an application from the same CA is not.
 */
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from "node:tls";
import type { ClusterConfig } from "../../config/cluster-config.ts";

export function peerHosts(cfg: ClusterConfig): string[] {
  return [...new Set(cfg.members.map((m) => new URL(m.peerUrl ?? m.url).hostname.replace(/^\[|\]$/g, "")))];
}

export function certificateNamesPeer(cert: PeerCertificate, hosts: readonly string[]): boolean {
  return hosts.some((host) => checkServerIdentity(host, cert) === undefined);
}

/** The verdict is per connection: the certificate cannot change on an open one. */
const verdicts = new WeakMap<TLSSocket, { generation: number; peer: boolean }>();

export function socketIsPeer(socket: TLSSocket, cfg: ClusterConfig): boolean {
  const cached = verdicts.get(socket);
  if (cached && cached.generation === cfg.generation) return cached.peer;
  const cert = socket.authorized ? socket.getPeerCertificate() : undefined;
  const peer =
    cert !== undefined && Object.keys(cert).length > 0 && certificateNamesPeer(cert, peerHosts(cfg));
  verdicts.set(socket, { generation: cfg.generation, peer });
  return peer;
}
