import { describe, expect, it } from 'vitest';
import { lineSplitter } from '../src/common/lines.js';

describe('lineSplitter', () => {
  it('keeps a UTF-8 character whole when a chunk boundary falls inside it', () => {
    const bytes = Buffer.from('watching “events” …\nnext\npartial');
    const lines: string[] = [];
    const split = lineSplitter((l) => lines.push(l));
    // Every byte on its own: each multi-byte character is cut at every possible place.
    for (const b of bytes) split(Buffer.from([b]));
    expect(lines).toEqual(['watching “events” …', 'next']);
  });

  it('hands over each complete line once, and keeps the rest for the next chunk', () => {
    const lines: string[] = [];
    const split = lineSplitter((l) => lines.push(l));
    split(Buffer.from('a\nb'));
    expect(lines).toEqual(['a']);
    split(Buffer.from('c\n\nd\n'));
    expect(lines).toEqual(['a', 'bc', '', 'd']);
  });
});
