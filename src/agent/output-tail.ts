/**
 * Keeps only the last `limitBytes` bytes written to it, so a command that prints gigabytes costs
 * a fixed amount of memory. Chunks from stdout and stderr are appended in arrival order.
 */
export class OutputTail {
  private readonly buffer: Buffer;
  private length = 0;
  private start = 0;
  private dropped = false;

  /** @param limitBytes bytes kept; default 16 KiB. */
  constructor(readonly limitBytes = 16 * 1024) {
    this.buffer = Buffer.alloc(limitBytes);
  }

  append(chunk: Uint8Array): void {
    const cap = this.limitBytes;
    if (cap === 0) {
      if (chunk.length > 0) this.dropped = true;
      return;
    }
    let data = chunk;
    if (data.length >= cap) {
      this.dropped ||= data.length > cap || this.length > 0;
      data = data.subarray(data.length - cap);
      this.buffer.set(data, 0);
      this.start = 0;
      this.length = cap;
      return;
    }
    const overflow = this.length + data.length - cap;
    if (overflow > 0) {
      this.start = (this.start + overflow) % cap;
      this.length -= overflow;
      this.dropped = true;
    }
    const end = (this.start + this.length) % cap;
    const first = Math.min(data.length, cap - end);
    this.buffer.set(data.subarray(0, first), end);
    this.buffer.set(data.subarray(first), 0);
    this.length += data.length;
  }

  /** True once any byte was dropped. */
  get truncated(): boolean {
    return this.dropped;
  }

  /** The bytes kept, oldest first. */
  bytes(): Buffer {
    const cap = this.limitBytes;
    const end = this.start + this.length;
    if (end <= cap) return Buffer.from(this.buffer.subarray(this.start, end));
    return Buffer.concat([this.buffer.subarray(this.start), this.buffer.subarray(0, end - cap)]);
  }

  /**
   * The kept bytes as UTF-8 text. When bytes were dropped, a character cut in half at the front
   * is skipped rather than shown as a replacement character.
   */
  text(): string {
    let bytes = this.bytes();
    if (this.dropped) {
      let skip = 0;
      while (skip < 3 && skip < bytes.length && ((bytes[skip] ?? 0) & 0xc0) === 0x80) skip++;
      bytes = bytes.subarray(skip);
    }
    return bytes.toString('utf8');
  }
}
