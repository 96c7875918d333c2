// A command's output, split into lines for the log with bounded memory: at most `capBytes` of one
// line is kept; the rest of a longer line is skipped up to its newline. A command that prints
// forever without a newline costs `capBytes`, never more.

export const LINE_CAP_BYTES = 4096;

export interface Line {
  readonly text: string;
  /** The line was longer than the cap and was cut. */
  readonly isCut: boolean;
}

export class LineSplitter {
  private readonly held: Buffer;
  private length = 0;
  private isSkipping = false;

  constructor(
    private readonly onLine: (line: Line) => void,
    private readonly capBytes: number = LINE_CAP_BYTES,
  ) {
    this.held = Buffer.alloc(capBytes);
  }

  push(chunk: Uint8Array): void {
    let from = 0;
    while (from < chunk.length) {
      const newline = chunk.indexOf(0x0a, from);
      const end = newline === -1 ? chunk.length : newline;
      if (!this.isSkipping) this.hold(chunk.subarray(from, end));
      if (newline === -1) return;
      this.emit();
      this.isSkipping = false;
      from = newline + 1;
    }
  }

  /** The stream ended: a last line without newline is still a line. */
  end(): void {
    if (this.length > 0 && !this.isSkipping) this.emit();
    this.length = 0;
    this.isSkipping = false;
  }

  private hold(bytes: Uint8Array): void {
    const room = this.capBytes - this.length;
    if (bytes.length <= room) {
      this.held.set(bytes, this.length);
      this.length += bytes.length;
      return;
    }
    this.held.set(bytes.subarray(0, room), this.length);
    this.length = this.capBytes;
    this.emit(true);
    this.isSkipping = true;
  }

  private emit(isCut = false): void {
    if (this.isSkipping) return;
    const text = this.held.toString('utf8', 0, this.length);
    this.length = 0;
    this.onLine({ text, isCut });
  }
}
