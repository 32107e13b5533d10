const ALPHABET =
  '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

/**
 * Z85 text of bytes whose length is a multiple of 4 (ZeroMQ RFC 32). The ZAP handler gets a
 * client's CURVE key as 32 raw bytes and compares it with keys configured as Z85 text.
 */
export function z85Encode(data: Uint8Array): string {
  if (data.length % 4 !== 0)
    throw new RangeError(`z85: length must be a multiple of 4, got ${data.length}`);
  let out = '';
  for (let i = 0; i < data.length; i += 4) {
    let value =
      (data[i] ?? 0) * 0x1000000 +
      ((data[i + 1] ?? 0) << 16) +
      ((data[i + 2] ?? 0) << 8) +
      (data[i + 3] ?? 0);
    let chunk = '';
    for (let j = 0; j < 5; j++) {
      chunk = (ALPHABET[value % 85] ?? '') + chunk;
      value = Math.floor(value / 85);
    }
    out += chunk;
  }
  return out;
}
