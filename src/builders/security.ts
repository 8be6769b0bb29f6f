/**
 * The Pod Security Standards "restricted" profile, for node pods and repair pods alike. Nodes write
 * only to their volume (and /tmp, an emptyDir), so the root filesystem can be read-only.
 */
import type { V1PodSecurityContext, V1SecurityContext } from "@kubernetes/client-node";
import { RUN_AS_USER } from "./context.ts";

export function podSecurityContext(): V1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: RUN_AS_USER,
    runAsGroup: RUN_AS_USER,
    // The data volume is owned by root on most provisioners; fsGroup makes it writable. OnRootMismatch
    // skips the recursive chown of a large volume on every restart.
    fsGroup: RUN_AS_USER,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function containerSecurityContext(): V1SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: RUN_AS_USER,
    runAsGroup: RUN_AS_USER,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
