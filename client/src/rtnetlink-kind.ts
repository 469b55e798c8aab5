/**
 * What rtnetlink's links, addresses, routes and neighbours share: each `RTM_NEW*` message (a
 * {@link StructMessage}) decodes into one object, the struct's fields plus a few attributes
 * under readable names, and an `RTM_GET*` dump lists them.
 * @module
 */
import { dumpDecoded, type DumpOptions } from './dump.js';
import type { NetlinkMessage } from './header.js';
import { formatAddress, formatLinkAddress } from './inet.js';
import type { AttributeValues } from './schema.js';
import type { NetlinkSocket } from './socket.js';
import type { StructMessage } from './struct.js';

/** How one kind of rtnetlink object is asked for and read. */
export interface RtnetlinkKindSpec<H, T> {
  message: StructMessage<H>;
  /** `RTM_GET*`, whose dump lists the objects. */
  get: number;
  /** `RTM_NEW*`, one message an object. */
  reply: number;
  /** What the object adds to the struct's fields and `attributes`, read from the attributes. */
  named(attributes: AttributeValues, header: H): Omit<T, keyof H | 'attributes'>;
}

/** The decoder and the dump of one kind of rtnetlink object. */
export interface RtnetlinkKind<H, T> {
  decode(message: NetlinkMessage): T;
  /**
   * Dumps with a request of `header` and `attributes` and keeps the objects `keep` accepts
   * (for filters the kernel applies only under strict checking).
   */
  list(sock: NetlinkSocket, header: Partial<H>, attributes: AttributeValues, options: DumpOptions, keep?: (object: T) => boolean): Promise<T[]>;
}

/** An {@link RtnetlinkKind} from its message, its request and reply types and its named fields. */
export function rtnetlinkKind<H, T extends H & { attributes: AttributeValues }>(spec: RtnetlinkKindSpec<H, T>): RtnetlinkKind<H, T> {
  const { message } = spec;
  const decode = (m: NetlinkMessage): T => {
    const { attributes, ...header } = message.decode(m);
    return { ...header, ...spec.named(attributes, header as H), attributes } as unknown as T;
  };
  return Object.freeze({
    decode,
    list: (sock: NetlinkSocket, header: Partial<H>, attributes: AttributeValues, options: DumpOptions, keep?: (object: T) => boolean) =>
      dumpDecoded(sock, { type: spec.get, payload: message.encode(header, attributes) }, { layout: message.layout, ...options }, spec.reply, decode, keep),
  });
}

/** An address attribute (`IFA_ADDRESS`, `RTA_DST`, `NDA_DST`…) as text. */
export const addressText = (v: unknown): string | undefined => (Buffer.isBuffer(v) ? formatAddress(v) : undefined);

/** A link-layer address attribute (`NDA_LLADDR`) as text. */
export const linkAddressText = (v: unknown): string | undefined => (Buffer.isBuffer(v) ? formatLinkAddress(v) : undefined);

/** A number attribute, or undefined when it is absent. */
export const numberOf = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** A string attribute, or undefined when it is absent. */
export const stringOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
