/**
 * Cuts the merged records into data objects of about `objectBytes` each, made of msgpack records
 * frames (the same frames a snapshot streams), and uploads them a few at a time while the next is
 * being filled. Each object's SHA-256 goes into the manifest.
 */
import { createHash } from "node:crypto";
import { pack } from "msgpackr";
import { encodeFrame, type KeyRecord, type RecordsFrame } from "../wire/backup.ts";
import type { DataObject } from "./manifest.ts";
import type { ObjectStore } from "./object-store.ts";

const FRAME_RECORDS = 512;

export interface DataWriterOptions {
  /** the backup's folder, ending in "/" */
  folder: string;
  objectBytes?: number;
  /** uploads in flight at once */
  parallel?: number;
  /** told after each object is stored */
  onObject?: (o: DataObject) => void;
}

export class DataWriter {
  private readonly store: ObjectStore;
  private readonly folder: string;
  private readonly objectBytes: number;
  private readonly parallel: number;
  private readonly onObject: ((o: DataObject) => void) | undefined;
  private readonly objects: DataObject[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  private frame: KeyRecord[] = [];
  private frames: Buffer[] = [];
  private bytes = 0;
  private records = 0;

  constructor(store: ObjectStore, opts: DataWriterOptions) {
    this.store = store;
    this.folder = opts.folder;
    this.objectBytes = opts.objectBytes ?? 8 * 1024 * 1024;
    this.parallel = opts.parallel ?? 2;
    this.onObject = opts.onObject;
  }

  /**
   * Adds one record; a promise only when an object was cut and the caller must wait for room among
   * the uploads (a million records then cost a few hundred awaits, not a million).
   */
  add(entry: KeyRecord): Promise<void> | undefined {
    this.frame.push(entry);
    this.records++;
    this.bytes += entry[0].length + (entry[1][3]?.byteLength ?? 0) + 24;
    if (this.frame.length === FRAME_RECORDS) this.closeFrame();
    return this.bytes >= this.objectBytes ? this.flush() : undefined;
  }

  /** Uploads what is left and waits for every upload; the objects in key order. */
  async finish(): Promise<DataObject[]> {
    await this.flush();
    await Promise.all(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
    return [...this.objects].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  private closeFrame(): void {
    if (this.frame.length === 0) return;
    const f: RecordsFrame = { kind: "records", entries: this.frame };
    this.frames.push(encodeFrame(pack(f)));
    this.frame = [];
  }

  private async flush(): Promise<void> {
    this.closeFrame();
    if (this.frames.length === 0) return;
    if (this.failure !== undefined) throw this.failure;
    const body = Buffer.concat(this.frames);
    const object: DataObject = {
      name: `data/${String(this.objects.length).padStart(6, "0")}.msgpack`,
      records: this.records,
      bytes: body.byteLength,
      sha256: createHash("sha256").update(body).digest("hex"),
    };
    this.objects.push(object);
    this.frames = [];
    this.bytes = 0;
    this.records = 0;
    while (this.inFlight.size >= this.parallel) await Promise.race(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
    const upload = this.store.put(this.folder + object.name, body).then(
      () => this.onObject?.(object),
      (err: unknown) => {
        this.failure ??= err;
      },
    );
    const tracked = upload.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
