/**
 * Where hack/k8s/build.sh put kube-apiserver, kube-controller-manager and etcd: the cache directory
 * keyed by the versions in hack/k8s/versions.env. The tests never build (minutes on a small
 * machine); they fail with the command that does.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface K8sBinaries {
  dir: string;
  k8sVersion: string;
  etcdVersion: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  etcd: string;
}

const VERSIONS_FILE = fileURLToPath(new URL("../../../hack/k8s/versions.env", import.meta.url));

function readVersions(): { k8s: string; etcd: string } {
  const text = readFileSync(VERSIONS_FILE, "utf8");
  const value = (name: string) => {
    const match = new RegExp(`^${name}=(\\S+)$`, "m").exec(text);
    if (!match?.[1]) throw new Error(`${VERSIONS_FILE} has no ${name}`);
    return match[1];
  };
  return { k8s: value("K8S_VERSION"), etcd: value("ETCD_VERSION") };
}

/** The same path build.sh computes: ${REPLISTORE_CACHE:-$HOME/.cache/replistore}/k8s/<k8s>-etcd<etcd>. */
export function k8sBinaries(): K8sBinaries {
  const versions = readVersions();
  const cache = process.env.REPLISTORE_CACHE ?? join(homedir(), ".cache", "replistore");
  const dir = join(cache, "k8s", `${versions.k8s}-etcd${versions.etcd}`);
  return {
    dir,
    k8sVersion: versions.k8s,
    etcdVersion: versions.etcd,
    kubeApiserver: join(dir, "kube-apiserver"),
    kubeControllerManager: join(dir, "kube-controller-manager"),
    etcd: join(dir, "etcd"),
  };
}

/** The binaries, or an error that says how to build them. */
export function requireK8sBinaries(): K8sBinaries {
  const binaries = k8sBinaries();
  for (const path of [binaries.kubeApiserver, binaries.kubeControllerManager, binaries.etcd]) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      throw new Error(
        `${path} is missing: run \`npm run k8s:build\` (builds Kubernetes ${binaries.k8sVersion} and etcd ${binaries.etcdVersion} from the Go module proxy; several minutes the first time)`,
      );
    }
  }
  return binaries;
}
