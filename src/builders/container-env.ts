/** Environment shared by node and repair containers. */
import type { V1EnvVar } from "@kubernetes/client-node";
import { NODE_RUNTIME_FLAGS } from "../config/node-runtime-flags.ts";
import { type StoreResource, TOKEN_KEY } from "./context.ts";

/** The same V8 flags `replistore up` passes on the command line (see node-runtime-flags.ts for why). */
export function nodeOptionsEnv(): V1EnvVar {
  return { name: "NODE_OPTIONS", value: NODE_RUNTIME_FLAGS.join(" ") };
}

/** REPLISTORE_TOKEN from the auth Secret; none without spec.auth. Not optional: a node without its token would refuse every peer. */
export function tokenEnv(store: StoreResource): V1EnvVar[] {
  if (!store.spec.auth) return [];
  return [
    {
      name: "REPLISTORE_TOKEN",
      valueFrom: { secretKeyRef: { name: store.spec.auth.secretName, key: TOKEN_KEY } },
    },
  ];
}
