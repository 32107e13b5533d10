import fc from 'fast-check';
import { OutputTail } from './output-tail.js';

describe('OutputTail', () => {
  it('keeps exactly the last bytes written, in order, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 50 })),
        fc.nat({ max: 64 }),
        (chunks, limit) => {
          const tail = new OutputTail(limit);
          for (const c of chunks) tail.append(c);
          const all = Buffer.concat(chunks);
          expect(tail.bytes()).toEqual(all.subarray(Math.max(0, all.length - limit)));
          expect(tail.truncated).toBe(all.length > limit);
        },
      ),
    );
  });

  it('skips a character cut in half at the front once truncated', () => {
    const tail = new OutputTail(4);
    tail.append(Buffer.from('aé€'));
    expect(tail.text()).toBe('€');
  });
});
