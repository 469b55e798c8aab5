/**
 * Misuse gets the library's own error classes, never EBADF from a syscall
 * or a TypeError from Node's internals: a closed socket, an attribute too
 * large for nla_len, payloads and datagrams of the wrong type.
 */
import { describe, expect, it } from 'vitest';
import {
  AttributeEncodeError,
  decodeAttributes,
  decodeMessages,
  defineAttributeSet,
  dump,
  encodeAttribute,
  encodeAttributeSet,
  encodeMessage,
  encodeMessages,
  genlRequest,
  GENL_ID_CTRL,
  ctrlAttributes,
  CTRL_CMD,
  InvalidArgumentError,
  NETLINK,
  openSocket,
  request,
  resolveFamily,
  RTM,
  SocketClosedError,
  type MessageInit,
} from '../src/index.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('a closed socket', () => {
  const closed = (): ReturnType<typeof openSocket> => {
    const s = openSocket(NETLINK.ROUTE);
    s.close();
    return s;
  };

  it.each([
    ['send', (s: ReturnType<typeof openSocket>) => s.send({ type: RTM.GETLINK })],
    ['sendBytes', (s: ReturnType<typeof openSocket>) => s.sendBytes(Buffer.alloc(16))],
    ['joinGroup', (s: ReturnType<typeof openSocket>) => s.joinGroup(1)],
    ['leaveGroup', (s: ReturnType<typeof openSocket>) => s.leaveGroup(1)],
    ['bind', (s: ReturnType<typeof openSocket>) => s.bind()],
    ['setOption', (s: ReturnType<typeof openSocket>) => s.setOption(1, 8, 4096)],
    ['receiveBufferSize', (s: ReturnType<typeof openSocket>) => s.receiveBufferSize],
    ['receiveSync', (s: ReturnType<typeof openSocket>) => s.receiveSync(10)],
  ])('%s throws SocketClosedError', (_name, op) => {
    const e = thrown(() => op(closed()));
    expect(e).toBeInstanceOf(SocketClosedError);
    expect(e).toMatchObject({ code: 'EBADF' });
    expect((e as Error).message).toMatch(/^netlink socket is closed/);
    expect(e).not.toHaveProperty('syscall');
  });

  it('request(), dump(), genlRequest() and resolveFamily() reject with SocketClosedError', async () => {
    const s = closed();
    await expect(request(s, { type: RTM.GETLINK })).rejects.toBeInstanceOf(SocketClosedError);
    await expect(dump(s, { type: RTM.GETLINK }).next()).rejects.toBeInstanceOf(SocketClosedError);
    const g = openSocket(NETLINK.GENERIC);
    g.close();
    await expect(genlRequest(g, { family: GENL_ID_CTRL, cmd: CTRL_CMD.GETFAMILY, set: ctrlAttributes })).rejects.toBeInstanceOf(SocketClosedError);
    await expect(resolveFamily(g, 'nlctrl')).rejects.toBeInstanceOf(SocketClosedError);
  });
});

describe('encoding errors name the attribute', () => {
  const set = defineAttributeSet('blobs', {
    BLOB: { type: 1, kind: 'binary' },
    OUTER: { type: 2, kind: 'nested', nested: defineAttributeSet('inner', { DATA: { type: 7, kind: 'binary' } }) },
  });

  it('an oversized attribute is named BLOB, not 1', () => {
    const e = thrown(() => encodeAttributeSet(set, { BLOB: Buffer.alloc(70_000) }));
    expect(e).toBeInstanceOf(AttributeEncodeError);
    expect((e as AttributeEncodeError).path).toEqual(['BLOB']);
    expect((e as Error).message).toBe('cannot encode attribute BLOB: payload of 70000 bytes exceeds the 65535 bytes nla_len can describe');
  });

  it('a nest that grows too large is named by its path', () => {
    const e = thrown(() => encodeAttributeSet(set, { OUTER: { DATA: Buffer.alloc(65_530) } }));
    expect(e).toBeInstanceOf(AttributeEncodeError);
    expect((e as AttributeEncodeError).path).toEqual(['OUTER']);
  });

  it('without a schema the type number is the name', () => {
    expect((thrown(() => encodeAttribute(9, Buffer.alloc(65_532))) as AttributeEncodeError).path).toEqual(['9']);
  });

  it('attribute values that are not an object give AttributeEncodeError', () => {
    expect(thrown(() => encodeAttributeSet(set, undefined as never))).toBeInstanceOf(AttributeEncodeError);
    expect(thrown(() => encodeAttribute(1, 'text' as never))).toBeInstanceOf(AttributeEncodeError);
  });
});

describe('wrong argument types', () => {
  it.each([
    ['a number', 42],
    ['an object', { length: 3 }],
    ['an array with a string', [Buffer.alloc(1), 'x']],
  ])('a payload that is %s gives InvalidArgumentError', (_what, payload) => {
    const e = thrown(() => encodeMessage({ type: 16, payload } as unknown as MessageInit));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toMatchObject({ code: 'EINVAL', argument: 'payload' });
    expect((e as Error).message).toMatch(/^invalid payload: expected a Buffer, Uint8Array, string or array of Uint8Array, got /);
  });

  it('encodeMessage(undefined) and encodeMessages(a non-array) give InvalidArgumentError', () => {
    expect(thrown(() => encodeMessage(undefined as never))).toMatchObject({ name: 'InvalidArgumentError', argument: 'message' });
    expect(thrown(() => encodeMessages({ type: 16 } as never))).toMatchObject({ name: 'InvalidArgumentError', argument: 'messages' });
  });

  it.each([undefined, null, 'bytes', 7, [1, 2]])('decodeMessages(%s) gives InvalidArgumentError', (value) => {
    const e = thrown(() => decodeMessages(value as never));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toMatchObject({ argument: 'datagram' });
  });

  it('decodeAttributes accepts a Uint8Array and rejects undefined with InvalidArgumentError', () => {
    const bytes = new Uint8Array(encodeAttribute(3, Buffer.from([1, 2, 3, 4])));
    expect(decodeAttributes(bytes as Buffer)[0]).toMatchObject({ type: 3 });
    expect(thrown(() => decodeAttributes(undefined as never))).toBeInstanceOf(InvalidArgumentError);
  });

  it('sendBytes with a string gives InvalidArgumentError, not a native TypeError', () => {
    const s = openSocket(NETLINK.ROUTE);
    try {
      expect(thrown(() => s.sendBytes('hello' as never))).toBeInstanceOf(InvalidArgumentError);
      expect(thrown(() => s.send({ type: 16, payload: 3 } as unknown as MessageInit))).toBeInstanceOf(InvalidArgumentError);
    } finally {
      s.close();
    }
  });
});
