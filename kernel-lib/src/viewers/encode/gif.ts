import type { Lut } from '../colormaps';
import type { AnimationOptions, IndexedImage } from './png';

/**
 * An animated GIF (GIF89a) encoder for 8-bit indexed frames: one global 256-colour table (the
 * colormap), LZW-compressed frames and the NETSCAPE2.0 loop extension.
 */

/** Collects bytes in a growable buffer. */
class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  length = 0;

  byte(b: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = b;
  }

  bytes(bs: ArrayLike<number>): void {
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]);
  }

  u16(v: number): void {
    this.byte(v & 0xff);
    this.byte((v >> 8) & 0xff);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const MAX_CODE = 4096;

/**
 * GIF's variable-length LZW for 8-bit pixels (minimum code size 8), packed least significant
 * bit first. When the 12-bit dictionary is full a clear code starts a new one.
 */
export function lzwEncode(pixels: Uint8Array): Uint8Array {
  const clear = 256;
  const end = 257;
  const out = new ByteWriter();
  let bits = 0;
  let bitCount = 0;
  let codeSize = 9;
  const emit = (code: number) => {
    bits |= code << bitCount;
    bitCount += codeSize;
    while (bitCount >= 8) {
      out.byte(bits & 0xff);
      bits >>>= 8;
      bitCount -= 8;
    }
  };
  // Dictionary: (prefix code << 8 | next byte) -> code.
  let dict = new Map<number, number>();
  let next = 258;
  emit(clear);
  let prefix = pixels.length > 0 ? pixels[0] : -1;
  for (let i = 1; i < pixels.length; i++) {
    const key = (prefix << 8) | pixels[i];
    const code = dict.get(key);
    if (code !== undefined) {
      prefix = code;
      continue;
    }
    emit(prefix);
    if (next < MAX_CODE) {
      dict.set(key, next++);
      if (next > 1 << codeSize && codeSize < 12) codeSize++;
    } else {
      emit(clear);
      dict = new Map();
      next = 258;
      codeSize = 9;
    }
    prefix = pixels[i];
  }
  if (prefix >= 0) emit(prefix);
  emit(end);
  if (bitCount > 0) out.byte(bits & 0xff);
  return out.result();
}

/** Encodes frames of equal size as an animated GIF with colour table `lut`. */
export function encodeGif(frames: IndexedImage[], lut: Lut, options: AnimationOptions = {}): Uint8Array {
  if (frames.length === 0) throw new Error('GIF: no frames');
  const { width, height } = frames[0];
  if (frames.some((f) => f.width !== width || f.height !== height)) throw new Error('GIF: frames must have the same size');
  if (width > 65535 || height > 65535) throw new Error('GIF: frames must be at most 65535 pixels wide and high');
  const w = new ByteWriter();
  w.bytes(Buffer.from('GIF89a', 'latin1'));
  w.u16(width);
  w.u16(height);
  w.bytes([0xf7, 0, 0]); // global colour table of 2^(7+1) entries, 8 bits per primary; background 0; square pixels
  w.bytes(lut);
  // NETSCAPE2.0 application extension: loop count (0 = forever).
  w.bytes([0x21, 0xff, 11]);
  w.bytes(Buffer.from('NETSCAPE2.0', 'latin1'));
  w.bytes([3, 1]);
  w.u16(options.loops ?? 0);
  w.byte(0);
  const delay = Math.max(0, Math.min(65535, Math.round((options.frameDelayMs ?? 100) / 10)));
  for (const frame of frames) {
    w.bytes([0x21, 0xf9, 4, 0x04]); // graphic control: dispose "do not dispose", no transparency
    w.u16(delay);
    w.bytes([0, 0]);
    w.byte(0x2c); // image descriptor at (0, 0), no local colour table, not interlaced
    w.u16(0);
    w.u16(0);
    w.u16(width);
    w.u16(height);
    w.byte(0);
    w.byte(8); // minimum LZW code size
    const data = lzwEncode(frame.pixels.subarray(0, width * height));
    for (let i = 0; i < data.length; i += 255) {
      const block = data.subarray(i, Math.min(i + 255, data.length));
      w.byte(block.length);
      w.bytes(block);
    }
    w.byte(0);
  }
  w.byte(0x3b);
  return w.result();
}
