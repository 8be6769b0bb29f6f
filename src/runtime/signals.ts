/** Waits for SIGINT/SIGTERM/SIGHUP; a second signal means "stop waiting for a clean shutdown". */

const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export interface StopSignal {
  /** Resolves with the first signal's name. */
  received: Promise<NodeJS.Signals>;
  /** Aborted on the first signal, to cancel waits in progress. */
  abort: AbortSignal;
  dispose(): void;
}

export function listenForStop(onSecondSignal: () => void): StopSignal {
  const controller = new AbortController();
  let resolveReceived: (signal: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((resolve) => {
    resolveReceived = resolve;
  });
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      onSecondSignal();
      return;
    }
    controller.abort();
    resolveReceived(signal);
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return {
    received,
    abort: controller.signal,
    dispose: () => {
      for (const signal of SIGNALS) process.off(signal, handler);
    },
  };
}
