// The client's codecs use Node's Buffer. In the browser the `buffer` package stands in for it;
// import this before them.
import { Buffer } from 'buffer';

globalThis.Buffer ??= Buffer as unknown as typeof globalThis.Buffer;
