import { UserError } from "../errors.ts";

/**
 * Where backups live: a flat namespace of named objects under one prefix (an S3 bucket and path, or
 * a directory). A backup is a folder of objects; the backup code needs no more than these five
 * calls, so a destination is easy to add and to fake in nothing: the tests run real ones.
 */
export interface ObjectStore {
  /** What a person would call this place, for messages: `s3://bucket/path` or `file:///dir`. */
  readonly url: string;
  /** Writes the whole object; a reader sees either the old object, none, or all of this one. */
  put(name: string, body: Buffer): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  get(name: string): Promise<Buffer | undefined>;
  /** Names directly under `prefix` that are folders ("id/"), without the prefix or the slash. */
  folders(prefix: string): Promise<string[]>;
  /** Deletes every object whose name starts with `prefix`; returns how many. */
  deleteAll(prefix: string): Promise<number>;
  close(): void;
}

/** A destination that refused or failed: says which and what to check, never a stack. */
export class DestinationError extends UserError {
  /** A stable reason for scripts and status: access_denied, no_bucket, unreachable, ... */
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.name = "DestinationError";
    this.reason = reason;
  }
}
