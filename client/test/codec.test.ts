import { describe, expect, it } from 'vitest';
import {
  AttributeEncodeError,
  decodeAttributeSet,
  attributePath,
  decodeAttributes,
  decodeDoneMessage,
  decodeErrorMessage,
  decodeMessages,
  decodeScalar,
  defineAttributeSet,
  encodeAttribute,
  encodeAttributeSet,
  encodeMessage,
  encodeMessages,
  encodeScalar,
  linkLayout,
  encodeLinkPayload,
  MalformedMessageError,
  nameOffsets,
  NLA_F,
  NLM_F,
  NLMSG,
  NLMSGERR_ATTR,
  NL_POLICY_TYPE_ATTR,
  RTM,
  toNetlinkError,
  NetlinkError,
} from '../src/index.js';

describe('golden bytes', () => {
  it('string attribute "test1" is nla_len 10 plus 2 bytes of padding', () => {
    const a = encodeAttribute(1, encodeScalar('string', 'test1'));
    expect([...a]).toEqual([10, 0, 1, 0, 0x74, 0x65, 0x73, 0x74, 0x31, 0, 0, 0]);
  });

  it('nested attributes carry NLA_F_NESTED, scalars do not', () => {
    const inner = defineAttributeSet('inner', { KIND: { type: 1, kind: 'string' } });
    const outer = defineAttributeSet('outer', { MTU: { type: 4, kind: 'u32' }, INFO: { type: 18, kind: 'nested', nested: inner } });
    const b = encodeAttributeSet(outer, { MTU: 1500, INFO: { KIND: 'veth' } });
    expect(b.readUInt16LE(0)).toBe(8);
    expect(b.readUInt16LE(2)).toBe(4);
    expect(b.readUInt32LE(4)).toBe(1500);
    expect(b.readUInt16LE(8)).toBe(4 + 12);
    expect(b.readUInt16LE(10)).toBe(18 | NLA_F.NESTED);
    expect(b.readUInt16LE(14)).toBe(1); // inner attribute: no nested flag
    expect(b.length).toBe(8 + 16);
  });

  it('nlmsghdr fields sit at their offsets, host byte order', () => {
    const b = encodeMessage({ type: 0x1234, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 0x01020304, pid: 0x0a0b0c0d, payload: 'hi' });
    expect(b.length).toBe(20); // 16 + "hi\0" = 19, aligned to 20
    expect([...b.subarray(0, 16)]).toEqual([19, 0, 0, 0, 0x34, 0x12, 5, 0, 4, 3, 2, 1, 0x0d, 0x0c, 0x0b, 0x0a]);
    expect(b.subarray(16, 19).toString('latin1')).toBe('hi\0');
  });

  it('flag and control constants match <linux/netlink.h>', () => {
    expect(NLM_F.DUMP).toBe(NLM_F.ROOT | NLM_F.MATCH);
    expect([NLMSG.NOOP, NLMSG.ERROR, NLMSG.DONE, NLMSG.OVERRUN, NLMSG.MIN_TYPE]).toEqual([1, 2, 3, 4, 16]);
    expect([NLM_F.CAPPED, NLM_F.ACK_TLVS, NLM_F.DUMP_INTR, NLM_F.DUMP_FILTERED]).toEqual([0x100, 0x200, 0x10, 0x20]);
  });
});

describe('messages', () => {
  it('decodes several messages of one datagram', () => {
    const buf = encodeMessages([
      { type: 16, seq: 1, payload: Buffer.from([1, 2, 3]) },
      { type: 17, seq: 2, flags: NLM_F.MULTI },
      { type: NLMSG.DONE, seq: 3, payload: Buffer.alloc(4) },
    ]);
    const msgs = decodeMessages(buf);
    expect(msgs.map((m) => [m.type, m.seq, m.payload.length])).toEqual([
      [16, 1, 3],
      [17, 2, 0],
      [3, 3, 4],
    ]);
  });

  it.each([
    ['short header', Buffer.alloc(10)],
    ['nlmsg_len < 16', encodeMessage({ type: 1, length: 8 })],
    ['nlmsg_len past the end', encodeMessage({ type: 1, length: 64 })],
    ['trailing garbage', Buffer.concat([encodeMessage({ type: 1 }), Buffer.alloc(6)])],
  ])('rejects %s with MalformedMessageError', (_, buf) => {
    expect(() => decodeMessages(buf)).toThrow(MalformedMessageError);
  });
});

describe('scalars', () => {
  it('round-trips 64-bit values as bigint', () => {
    expect(decodeScalar('u64', encodeScalar('u64', 2n ** 64n - 1n))).toBe(2n ** 64n - 1n);
    expect(decodeScalar('s64', encodeScalar('s64', -(2n ** 63n)))).toBe(-(2n ** 63n));
    expect(decodeScalar('s8', encodeScalar('s8', -128))).toBe(-128);
    expect(decodeScalar('uint', encodeScalar('uint', 5n)).toString()).toBe('5');
    expect(encodeScalar('uint', 2n ** 40n).length).toBe(8);
  });

  it('writes be16 and be32 in network byte order, and a bitfield32 as value then selector', () => {
    expect(encodeScalar('be16', 8080).toString('hex')).toBe('1f90');
    expect(encodeScalar('be32', 0x0a000001).toString('hex')).toBe('0a000001');
    expect(decodeScalar('be16', Buffer.from([0x04, 0x01]))).toBe(1025);
    const bits = encodeScalar('bitfield32', { value: 2, selector: 3 });
    expect(bits.toString('hex')).toBe('0200000003000000');
    expect(decodeScalar('bitfield32', bits)).toEqual({ value: 2, selector: 3 });
    expect(() => encodeScalar('be16', 0x10000)).toThrow(AttributeEncodeError);
    expect(() => encodeScalar('bitfield32', { value: 1 })).toThrow(AttributeEncodeError);
    expect(() => decodeScalar('bitfield32', Buffer.alloc(4))).toThrow(MalformedMessageError);
  });

  it('rejects out-of-range and mistyped values', () => {
    expect(() => encodeScalar('u8', 256)).toThrow(AttributeEncodeError);
    expect(() => encodeScalar('s16', -40000)).toThrow(AttributeEncodeError);
    expect(() => encodeScalar('u32', 1.5)).toThrow(AttributeEncodeError);
    expect(() => encodeScalar('string', 'a\0b')).toThrow(AttributeEncodeError);
    expect(() => encodeScalar('u64', -1n)).toThrow(AttributeEncodeError);
  });

  it('checks lengths strictly on decode', () => {
    expect(() => decodeScalar('u32', Buffer.alloc(3))).toThrow(MalformedMessageError);
    expect(() => decodeScalar('string', Buffer.from('abc'))).toThrow(MalformedMessageError);
    expect(() => decodeScalar('flag', Buffer.alloc(1))).toThrow(MalformedMessageError);
    expect(() => decodeAttributes(Buffer.from([3, 0, 1, 0]))).toThrow(MalformedMessageError);
    expect(() => decodeAttributes(Buffer.from([9, 0, 1, 0, 0, 0, 0, 0]))).toThrow(MalformedMessageError);
  });

  it('repeated attributes decode to arrays in order', () => {
    const set = defineAttributeSet('r', { ADDR: { type: 1, kind: 'u16', multi: true } });
    const b = encodeAttributeSet(set, { ADDR: [3, 1, 2] });
    expect(decodeAttributeSet(set, b)).toEqual({ ADDR: [3, 1, 2] });
  });

  it('names one occurrence of a repeated attribute inside a nest by its index', () => {
    const meta = defineAttributeSet('meta', { OWNER: { type: 1, kind: 'string' }, TAGS: { type: 3, kind: 'string', multi: true } });
    const set = defineAttributeSet('kv', { KEY: { type: 1, kind: 'string' }, META: { type: 5, kind: 'nested', nested: meta } });
    const b = encodeAttributeSet(set, { KEY: 'k', META: { OWNER: 'o', TAGS: ['a', 'b', 'c'] } });
    const attrs = decodeAttributes(b);
    const metaAttr = attrs.find((a) => a.type === 5)!;
    const tags = decodeAttributes(metaAttr.payload, metaAttr.offset + 4).filter((a) => a.type === 3);
    expect(attributePath(set, b, tags[2]!.offset)).toEqual(['META', 'TAGS', '2']);
    expect(attributePath(set, b, tags[0]!.offset + 4)).toEqual(['META', 'TAGS', '0']);
    expect(attributePath(set, b, metaAttr.offset)).toEqual(['META']);
    // A repeated nest: the index, then the path inside that occurrence.
    const outer = defineAttributeSet('o', { ITEM: { type: 1, kind: 'nested', nested: meta, multi: true } });
    const ob = encodeAttributeSet(outer, { ITEM: [{ OWNER: 'x' }, { OWNER: 'y' }] });
    const second = decodeAttributes(ob)[1]!;
    expect(attributePath(outer, ob, second.offset + 4)).toEqual(['ITEM', '1', 'OWNER']);
  });
});

/** Builds an NLMSG_ERROR the way the kernel does (netlink_ack). */
function kernelError(errno: number, request: Buffer, opts: { capped: boolean; tlvs: Buffer[] }): Buffer {
  const orig = opts.capped ? request.subarray(0, 16) : request;
  const payload = Buffer.concat([Buffer.from(new Int32Array([-errno]).buffer), orig, ...opts.tlvs]);
  let flags = opts.capped ? NLM_F.CAPPED : 0;
  if (opts.tlvs.length) flags |= NLM_F.ACK_TLVS;
  return encodeMessage({ type: NLMSG.ERROR, flags, seq: request.readUInt32LE(8), pid: 1234, payload });
}

const u32 = (n: number): Buffer => encodeScalar('u32', n);

describe('errors and extended ACK', () => {
  const req = encodeMessage({
    type: RTM.NEWLINK,
    flags: NLM_F.REQUEST | NLM_F.ACK,
    seq: 77,
    payload: encodeLinkPayload({}, { IFNAME: 'x0', LINKINFO: { KIND: 'bogus' } }),
  });
  // ifinfomsg at 16, IFNAME (8 bytes) at 32, LINKINFO at 40, KIND at 44.
  const tlvs = [
    encodeAttribute(NLMSGERR_ATTR.MSG, encodeScalar('string', 'Unknown device type')),
    encodeAttribute(NLMSGERR_ATTR.OFFS, u32(44)),
    encodeAttribute(
      NLMSGERR_ATTR.POLICY,
      Buffer.concat([encodeAttribute(NL_POLICY_TYPE_ATTR.TYPE, u32(11)), encodeAttribute(NL_POLICY_TYPE_ATTR.MAX_LENGTH, u32(15))]),
      true,
    ),
  ];

  for (const capped of [true, false]) {
    it(`decodes a ${capped ? 'capped' : 'uncapped'} error and names the attribute`, () => {
      const [msg] = decodeMessages(kernelError(95, req, { capped, tlvs }));
      const r = decodeErrorMessage(msg!);
      expect(r.errno).toBe(95);
      expect(r.request).toEqual({ type: RTM.NEWLINK, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 77, pid: 0 });
      expect(r.requestPayload?.length).toBe(capped ? undefined : req.readUInt32LE(0) - 16);
      expect(r.extack).toMatchObject({ message: 'Unknown device type', offset: 44, policy: { type: 'string', maxLength: 15 } });
      const err = toNetlinkError(r.errno, r.extack, r.request, req, linkLayout);
      expect(err).toBeInstanceOf(NetlinkError);
      expect(err.code).toBe('EOPNOTSUPP');
      expect(err.extack.path).toEqual(['LINKINFO', 'KIND']);
      expect(err.message).toContain('Unknown device type');
    });
  }

  it('an ACK is an error report with errno 0', () => {
    const [msg] = decodeMessages(kernelError(0, req, { capped: true, tlvs: [] }));
    expect(decodeErrorMessage(msg!).errno).toBe(0);
  });

  it('names a missing attribute inside a nest', () => {
    const named = nameOffsets({ missingType: 1, missingNest: 40 }, req, linkLayout);
    expect(named.missingNestPath).toEqual(['LINKINFO']);
    expect(named.missingName).toBe('KIND');
  });

  it('reads the status and extended ACK of NLMSG_DONE', () => {
    const payload = Buffer.concat([Buffer.from(new Int32Array([-16]).buffer), tlvs[0]!]);
    const [msg] = decodeMessages(encodeMessage({ type: NLMSG.DONE, flags: NLM_F.MULTI | NLM_F.ACK_TLVS, payload }));
    expect(decodeDoneMessage(msg!)).toEqual({ errno: 16, extack: { message: 'Unknown device type' } });
  });
});
