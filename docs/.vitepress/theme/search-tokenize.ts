// The local search's tokenizer, shared by the index (built in Node) and the query (in the browser).
// Chinese has no spaces, so MiniSearch's default split leaves a whole sentence as one term and a
// query like 命名空间 finds nothing. Runs of CJK text are cut into words with Intl.Segmenter, and
// longer words also into character pairs, so a query matches however the segmenter cut the page.
const SEPARATORS = /[\n\r\p{Z}\p{P}]+/u;
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;

let segmenter: Intl.Segmenter | undefined;

export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const piece of text.split(SEPARATORS)) {
    if (!piece) continue;
    if (!CJK.test(piece)) {
      out.push(piece);
      continue;
    }
    segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
    for (const { segment, isWordLike } of segmenter.segment(piece)) {
      if (!isWordLike) continue;
      out.push(segment);
      const chars = [...segment];
      if (chars.length > 2 && CJK.test(segment)) for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
    }
  }
  return out;
}
