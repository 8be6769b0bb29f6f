/** The last lines of a node's log since its latest start, to show next to "did not become ready". */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

const MAX_BYTES = 16 * 1024;

/** `since`: a marker line; only lines after its last occurrence count (earlier runs are noise). */
export function tailLines(path: string, count: number, since?: string): string[] {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, MAX_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString("utf8").split("\n");
    if (lines.at(-1) === "") lines.pop();
    const start = since === undefined ? -1 : lines.findLastIndex((line) => line.includes(since));
    return lines.slice(start + 1).slice(-count);
  } finally {
    closeSync(fd);
  }
}
