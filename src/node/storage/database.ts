import { open, type RootDatabase } from "lmdb";

/**
 * Opens the node's LMDB environment. overlappingSync is off so that a write's promise resolves
 * only after the commit is fsynced: an acknowledged write survives a crash or power loss. LMDB
 * batches every write issued while a commit is running into the next transaction, which is the
 * group commit that keeps this affordable under concurrency.
 */
export function openDatabase(dataDir: string): RootDatabase {
  return open({
    path: dataDir,
    compression: false,
    overlappingSync: false,
    noSync: false,
    maxDbs: 16,
    mapSize: 2 * 1024 ** 3,
  });
}
