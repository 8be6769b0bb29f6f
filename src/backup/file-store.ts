import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { DestinationError, type ObjectStore } from "./object-store.ts";

/** A destination on a filesystem (a local disk, an NFS mount): one file per object. */
export class FileStore implements ObjectStore {
  readonly url: string;
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    this.url = pathToFileURL(dir).href.replace(/\/?$/, "/");
  }

  async put(name: string, body: Buffer): Promise<void> {
    const path = this.path(name);
    // Written beside and renamed: a crash leaves a stray .partial, never a short object.
    const partial = `${path}.partial`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(partial, body, { flush: true });
      await rename(partial, path);
    } catch (err) {
      throw this.failure(err, `write ${name}`);
    }
  }

  async get(name: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw this.failure(err, `read ${name}`);
    }
  }

  async folders(prefix: string): Promise<string[]> {
    try {
      const entries = await readdir(this.path(prefix), { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw this.failure(err, "list");
    }
  }

  async deleteAll(prefix: string): Promise<number> {
    const target = this.path(prefix);
    let n: number;
    try {
      const found = await stat(target);
      n = found.isDirectory()
        ? (await readdir(target, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length
        : 1;
      await rm(target, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw this.failure(err, `delete ${prefix}`);
    }
    return n;
  }

  close(): void {}

  private path(name: string): string {
    return join(this.dir, ...name.split("/").filter((p) => p !== ""));
  }

  private failure(err: unknown, what: string): DestinationError {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    const reason = code === "EACCES" || code === "EPERM" ? "access_denied" : "io_error";
    return new DestinationError(
      reason,
      `${this.url}: cannot ${what} (${code || (err instanceof Error ? err.message : String(err))})`,
    );
  }
}
