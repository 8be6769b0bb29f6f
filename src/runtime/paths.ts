/** Where `replistore up` keeps one store's files: <dataDir>/<name>/... */
import { join, resolve } from "node:path";

export const DEFAULT_DATA_DIR = ".replistore";

export interface StorePaths {
  dir: string;
  clusterConfig: string;
  token: string;
  upState: string;
  repairLog: string;
  /** the CA (ca.crt, ca.key) and the nodes' certificate (tls.crt, tls.key) */
  tlsDir: string;
  /** the peer secret, when TLS is disabled */
  peerSecret: string;
  nodeData(id: string): string;
  nodeLog(id: string): string;
}

export function storePaths(dataDir: string, name: string): StorePaths {
  const dir = resolve(dataDir, name);
  return {
    dir,
    clusterConfig: join(dir, "cluster.json"),
    token: join(dir, "token"),
    upState: join(dir, "up.json"),
    repairLog: join(dir, "repair.log"),
    tlsDir: join(dir, "tls"),
    peerSecret: join(dir, "peer-secret"),
    nodeData: (id) => join(dir, id),
    nodeLog: (id) => join(dir, `${id}.log`),
  };
}
