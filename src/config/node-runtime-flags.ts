/**
 * V8 flags for a replica node process. A 16 MiB young generation (default: a few MiB) lets the
 * short-lived buffers and promises of each request die in fewer, cheaper scavenges; measured on
 * the quorum bench it lowered GC time and peak RSS and raised reads/s by about 10%. The container
 * image sets the same through NODE_OPTIONS.
 */
export const NODE_RUNTIME_FLAGS: readonly string[] = [
  "--disable-warning=ExperimentalWarning",
  "--max-semi-space-size=16",
];
