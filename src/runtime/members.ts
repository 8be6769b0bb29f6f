/** The local members of a store: <name>-<i>, one port each from portBase. */
import type { Member } from "../config/cluster-config.ts";

export interface LocalMember extends Member {
  /** host:port the node binds. */
  listen: string;
  port: number;
}

/** A wildcard bind address is not somewhere to connect to, so URLs use loopback instead. */
function advertisedHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

export function localMembers(
  name: string,
  replicas: number,
  host: string,
  portBase: number,
  scheme: "http" | "https" = "http",
): LocalMember[] {
  const bindHost = host.includes(":") ? `[${host}]` : host;
  return Array.from({ length: replicas }, (_, i) => {
    const port = portBase + i;
    return {
      id: `${name}-${i}`,
      url: `${scheme}://${advertisedHost(host)}:${port}`,
      listen: `${bindHost}:${port}`,
      port,
    };
  });
}
