/** An admin kubeconfig with the certificates inlined, so it works wherever it is copied. */
import { readFile, writeFile } from "node:fs/promises";
import { dump } from "js-yaml";

export interface KubeconfigInput {
  server: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
  /** cluster, user and context name */
  name: string;
}

const base64 = async (path: string) => (await readFile(path)).toString("base64");

export async function writeKubeconfig(path: string, input: KubeconfigInput): Promise<void> {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: input.name,
        cluster: { server: input.server, "certificate-authority-data": await base64(input.caCert) },
      },
    ],
    users: [
      {
        name: input.name,
        user: {
          "client-certificate-data": await base64(input.clientCert),
          "client-key-data": await base64(input.clientKey),
        },
      },
    ],
    contexts: [
      { name: input.name, context: { cluster: input.name, user: input.name, namespace: "default" } },
    ],
    "current-context": input.name,
  };
  // 0600: it holds a system:masters key.
  await writeFile(path, dump(config), { mode: 0o600 });
}
