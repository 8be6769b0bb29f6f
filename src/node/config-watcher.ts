import { type FSWatcher, statSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import type { Logger } from "pino";
import type { ClusterConfig } from "../config/cluster-config.ts";
import { loadClusterConfig } from "../config/load.ts";

const POLL_MS = 1000;

/**
 * Reloads the cluster config when its file changes. Watching the directory (not the file)
 * catches atomic renames and Kubernetes' ConfigMap symlink swaps; a slow poll of the file's
 * mtime backs up filesystems where watch events do not arrive. A file that fails validation is
 * logged and ignored: the node keeps the last good config.
 */
export class ConfigWatcher {
  private readonly path: string;
  private readonly onChange: (cfg: ClusterConfig) => void;
  private readonly onError: (err: Error) => void;
  private readonly log: Logger;
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private lastText = "";
  private lastMtime = 0;

  constructor(
    path: string,
    log: Logger,
    onChange: (cfg: ClusterConfig) => void,
    onError: (err: Error) => void,
  ) {
    this.path = path;
    this.log = log;
    this.onChange = onChange;
    this.onError = onError;
  }

  /** Loads the file once (throwing if invalid: a node must not start on a bad config), then watches. */
  start(): ClusterConfig {
    const cfg = loadClusterConfig(this.path);
    this.lastText = JSON.stringify(cfg);
    this.lastMtime = this.mtime();
    try {
      const name = basename(this.path);
      this.watcher = watch(dirname(this.path), (_event, file) => {
        if (!file || file === name || file.startsWith("..")) this.check();
      });
      this.watcher.unref();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "cannot watch config directory; polling only");
    }
    this.poll = setInterval(() => {
      if (this.mtime() !== this.lastMtime) this.check();
    }, POLL_MS);
    this.poll.unref();
    return cfg;
  }

  stop(): void {
    this.watcher?.close();
    clearInterval(this.poll);
  }

  private mtime(): number {
    try {
      return statSync(this.path).mtimeMs;
    } catch {
      return 0;
    }
  }

  private check(): void {
    this.lastMtime = this.mtime();
    let cfg: ClusterConfig;
    try {
      cfg = loadClusterConfig(this.path);
    } catch (err) {
      this.onError(err as Error);
      return;
    }
    const text = JSON.stringify(cfg);
    if (text === this.lastText) return;
    this.lastText = text;
    this.onChange(cfg);
  }
}
