import { ErrorCode, ProtocolError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const DECIMAL = /^(0|[1-9][0-9]*)$/;
// With the u flag a surrogate pair is one code point, so only lone halves match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const SIGNED = /^(0|-?[1-9][0-9]*)$/;

/** UTF-8 bytes of one field. Lone surrogates have no UTF-8 form, so they are refused. */
export function encodeText(value: string, field: string): Buffer {
  if (LONE_SURROGATE.test(value)) {
    throw new ProtocolError(ErrorCode.BadFrame, `${field}: string holds a lone surrogate`, -1);
  }
  return Buffer.from(value, 'utf8');
}

/** Reads frames of a message one field at a time; every failure names the frame and field. */
export class FrameReader {
  private index: number;

  constructor(
    private readonly frames: readonly Uint8Array[],
    start: number,
    private readonly requestId = '',
  ) {
    this.index = start;
  }

  /** Index of the next frame to read. */
  get position(): number {
    return this.index;
  }

  /** Frames not read yet. */
  get remaining(): number {
    return this.frames.length - this.index;
  }

  fail(message: string, frame = this.index): never {
    throw new ProtocolError(ErrorCode.BadFrame, message, frame, this.requestId);
  }

  text(field: string): string {
    const frame = this.frames[this.index];
    if (frame === undefined) this.fail(`frame ${this.index} (${field}) is missing`);
    let value: string;
    try {
      value = utf8.decode(frame);
    } catch (err) {
      throw new ProtocolError(
        ErrorCode.BadFrame,
        `frame ${this.index} (${field}) is not valid UTF-8`,
        this.index,
        this.requestId,
        { cause: err },
      );
    }
    this.index += 1;
    return value;
  }

  /** A non-negative safe integer in plain decimal, at most `max` when given. */
  count(field: string, max = Number.MAX_SAFE_INTEGER): number {
    const at = this.index;
    const raw = this.text(field);
    const value = Number(raw);
    if (!DECIMAL.test(raw) || !Number.isSafeInteger(value)) {
      this.fail(
        `frame ${at} (${field}): expected a non-negative decimal integer, got "${clip(raw)}"`,
        at,
      );
    }
    if (value > max) this.fail(`frame ${at} (${field}): expected at most ${max}, got ${raw}`, at);
    return value;
  }

  /** Text that is not empty. */
  nonEmpty(field: string): string {
    const at = this.index;
    const value = this.text(field);
    if (value === '') this.fail(`frame ${at} (${field}): expected a non-empty value, got ""`, at);
    return value;
  }

  /** A signed safe integer, or null for an empty frame. */
  optionalInt(field: string): number | null {
    const at = this.index;
    const raw = this.text(field);
    if (raw === '') return null;
    const value = Number(raw);
    if (!SIGNED.test(raw) || !Number.isSafeInteger(value)) {
      this.fail(`frame ${at} (${field}): expected an integer or empty, got "${clip(raw)}"`, at);
    }
    return value;
  }

  optionalText(field: string): string | null {
    const raw = this.text(field);
    return raw === '' ? null : raw;
  }

  flag(field: string): boolean {
    const at = this.index;
    const raw = this.text(field);
    if (raw !== '0' && raw !== '1')
      this.fail(`frame ${at} (${field}): expected 0 or 1, got "${clip(raw)}"`, at);
    return raw === '1';
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T {
    const at = this.index;
    const raw = this.text(field);
    const found = allowed.find((a) => a === raw);
    if (found === undefined) {
      this.fail(
        `frame ${at} (${field}): expected one of ${allowed.join(', ')}, got "${clip(raw)}"`,
        at,
      );
    }
    return found;
  }

  /** A frame holding JSON, checked by `check`, which returns an error text or null. */
  json<T>(field: string, check: (value: unknown) => value is T, expected: string): T {
    const at = this.index;
    const raw = this.text(field);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      this.fail(`frame ${at} (${field}): expected JSON ${expected}, got "${clip(raw)}"`, at);
    }
    if (!check(value)) this.fail(`frame ${at} (${field}): expected ${expected}`, at);
    return value;
  }

  rest(field: string): string[] {
    const out: string[] = [];
    while (this.remaining > 0) out.push(this.text(field));
    return out;
  }

  end(what: string): void {
    if (this.remaining > 0) {
      this.fail(`${what}: ${this.remaining} unexpected frame(s) from frame ${this.index}`);
    }
  }
}

function clip(raw: string): string {
  return raw.length > 40 ? `${raw.slice(0, 40)}...` : raw;
}

/** Decimal text of a non-negative safe integer, for a count field. */
export function countText(value: number, field: string): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ProtocolError(
      ErrorCode.BadFrame,
      `${field}: expected a non-negative integer, got ${value}`,
      -1,
    );
  }
  return String(value);
}
