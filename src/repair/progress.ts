/**
 * Progress on stderr. On a terminal: one line rewritten in place (throttled) plus a permanent line
 * per finished set. Elsewhere (a Job's log) only the notes, so logs stay readable.
 */
export class Progress {
  private readonly tty: boolean;
  private readonly stream: NodeJS.WriteStream;
  private lastDraw = 0;
  private shown = false;

  constructor(stream: NodeJS.WriteStream = process.stderr, enabled = stream.isTTY === true) {
    this.stream = stream;
    this.tty = enabled;
  }

  /** The transient status line (terminal only). */
  update(text: string): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = (this.stream.columns || 100) - 1;
    this.stream.write(`\r\x1b[K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    this.shown = true;
  }

  /** A line that stays (a finished set): printed on a terminal only, the summary covers the rest. */
  line(text: string): void {
    if (!this.tty) return;
    this.clear();
    this.stream.write(`${text}\n`);
  }

  /** Something the user must see wherever stderr goes (waiting for the lock, not-ready nodes). */
  note(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
  }

  clear(): void {
    if (!this.shown) return;
    this.stream.write("\r\x1b[K");
    this.shown = false;
    this.lastDraw = 0;
  }
}
