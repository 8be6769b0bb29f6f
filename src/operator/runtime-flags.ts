/**
 * V8 flags for the operator process (the Deployment sets them through NODE_OPTIONS; the benchmark
 * runs the operator with them). The operator's live heap is small (about 60 MiB with 300 stores),
 * but with the default 16 MiB semi-spaces and an uncapped old space V8 kept ~260 MiB of heap
 * committed after the burst of creating 300 stores: peak RSS 393 MiB. A 1 MiB young generation and
 * a 192 MiB old-space cap brought the peak to ~190-240 MiB at the same speed (bench:operator).
 */
export const OPERATOR_NODE_OPTIONS = "--max-semi-space-size=1 --max-old-space-size=192";
