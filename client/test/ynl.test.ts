// The YNL code generator: golden output for a small spec, generated code that type-checks
// against the client library, the lesson's committed codecs up to date, and spec errors.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decodeMessages, encodeAttributeSet, encodeGenlHeader, NETLINK, NLMSG, openSocket, UnexpectedReplyError, type AttributeSet, type GenlFamily, type NetlinkSocket, type RequestOptions } from '../src/index.js';
import { generateClient } from '../src/ynl/generate.js';
import { resolveSpec, SpecError } from '../src/ynl/spec.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const demoText = readFileSync(join(here, 'ynl/demo.yaml'), 'utf8');
const demo = parse(demoText) as Record<string, unknown>;

describe('resolveSpec', () => {
  it('numbers operations and attributes the way YNL does', () => {
    const r = resolveSpec(demo);
    expect(r.operations.map((o) => [o.name, o.value])).toEqual([
      ['item-get', 1],
      ['delete', 2],
      ['item-new', 3],
      ['item-gone', 20],
    ]);
    const item = r.sets.find((s) => s.name === 'item')!;
    expect(item.attributes.map((a) => [a.name, a.type, a.kind])).toEqual([
      ['name', 2, 'string'],
      ['data', 3, 'binary'],
      ['enabled', 4, 'flag'],
      ['link', 5, 'nested'],
      ['links', 6, 'nested-array'],
      ['tag', 7, 'string'],
      ['big-id', 10, 's64'],
    ]);
    expect(r.enums.find((e) => e.name === 'opts')!.entries.map((e) => e.value)).toEqual([1, 2]);
    expect(r.operations[2]!.notification).toEqual({ attributes: ['name', 'data', 'enabled', 'link', 'links', 'tag', 'big-id'], mcgrp: 'monitor' });
  });

  it('gives a notify op the attribute set of the op it names, as netdev.yaml relies on', () => {
    const s = structuredClone(demo) as any;
    delete s.operations.list[2]['attribute-set'];
    expect(resolveSpec(s).operations[2]).toEqual(resolveSpec(demo).operations[2]);
    delete s.operations.list[0]['attribute-set'];
    expect(() => resolveSpec(s)).toThrow(/operation item-get has no attribute-set/);
  });

  it('rejects dangling names and what it does not support', () => {
    const bad = (patch: (s: any) => void): (() => unknown) => () => {
      const s = structuredClone(demo) as any;
      patch(s);
      return resolveSpec(s);
    };
    expect(bad((s) => s.operations.list[0].do.request.attributes.push('nope'))).toThrow(/no attribute nope in set item/);
    expect(bad((s) => (s.operations.list[3].mcgrp = 'other'))).toThrow(/no multicast group other/);
    expect(bad((s) => (s.operations['fixed-header'] = 'hdr'))).toThrow(SpecError);
    expect(bad((s) => (s.protocol = 'netlink-raw'))).toThrow(/only "genetlink"/);
    // The legacy schema (bitfield32, lesson 15) numbers the same way; its fixed header is refused above.
    expect(resolveSpec({ ...structuredClone(demo), protocol: 'genetlink-legacy' })).toEqual(resolveSpec(demo));
    expect(bad((s) => (s['attribute-sets'][0].attributes[0].type = 'nest-type-value'))).toThrow(/not supported/);
    expect(bad((s) => Object.assign(s['attribute-sets'][0].attributes[0], { type: 'u8', 'byte-order': 'big-endian' }))).toThrow(/big-endian is supported for u16 and u32 only/);
  });

  it('maps a big-endian u16 or u32 to be16/be32 and a bitfield32 to its own kind', () => {
    const s = structuredClone(demo) as any;
    s['attribute-sets'][0].attributes.push(
      { name: 'port', type: 'u16', 'byte-order': 'big-endian' },
      { name: 'addr', type: 'u32', 'byte-order': 'big-endian' },
      { name: 'bits', type: 'bitfield32' },
    );
    const kinds = resolveSpec(s).sets[0]!.attributes.slice(-3).map((a) => [a.name, a.kind]);
    expect(kinds).toEqual([
      ['port', 'be16'],
      ['addr', 'be32'],
      ['bits', 'bitfield32'],
    ]);
  });
});

describe('generateClient', () => {
  const out = generateClient(demo, { specFile: 'demo.yaml', specText: demoText });

  it('matches the golden output for a small spec', async () => {
    await expect(out).toMatchFileSnapshot('ynl/demo.golden.ts.txt');
  });

  it('is deterministic', () => {
    expect(generateClient(structuredClone(demo), { specFile: 'demo.yaml', specText: demoText })).toBe(out);
  });

  it("keeps lesson 12's committed codecs in step with its spec", () => {
    const dir = join(root, 'lessons/lesson-12/solution/client');
    const text = readFileSync(join(dir, 'nlab_kv.yaml'), 'utf8');
    expect(generateClient(parse(text), { specFile: 'nlab_kv.yaml', specText: text })).toBe(readFileSync(join(dir, 'nlab_kv-ynl.ts'), 'utf8'));
  });

  it("a generated do checks that the reply carries the op's command (the unified model)", async () => {
    mkdirSync(join(root, '.lab'), { recursive: true });
    const dir = mkdtempSync(join(root, '.lab', 'ynl-reply-'));
    const client = openSocket(NETLINK.USERSOCK);
    const server = openSocket(NETLINK.USERSOCK);
    try {
      const file = join(dir, 'demo-ynl.ts');
      writeFileSync(file, generateClient(demo, { libraryImport: join(root, 'client/src/index.js') }));
      const gen = (await import(file)) as {
        itemGet(sock: NetlinkSocket, family: GenlFamily, request: { name: string }, options: RequestOptions): Promise<unknown>;
        itemAttributes: AttributeSet;
        CMD: Record<'item-get' | 'delete', number>;
      };
      // A user-space peer plays the family, so the reply's command is ours to choose.
      const family: GenlFamily = { id: 0x30, name: 'demo-fam', version: 1, hdrsize: 0, maxattr: 10, ops: [], groups: {} };
      const get = async (replyCmd: number): Promise<unknown> => {
        const p = gen.itemGet(client, family, { name: 'x' }, { peer: server.port, timeout: 2000 });
        const d = server.receiveSync(1000)!;
        const [req] = decodeMessages(d.data);
        const ack = Buffer.alloc(4 + 16);
        d.data.copy(ack, 4, 0, 16);
        const to = { seq: req!.seq, pid: client.port };
        const attrs = encodeAttributeSet(gen.itemAttributes, { name: 'x' });
        server.send([{ type: family.id, ...to, payload: [encodeGenlHeader(replyCmd), attrs] }, { type: NLMSG.ERROR, ...to, payload: ack }], { port: client.port });
        return p;
      };
      expect(await get(gen.CMD['item-get'])).toEqual({ name: 'x' });
      const err = await get(gen.CMD.delete).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnexpectedReplyError);
      expect(String(err)).toMatch(/command 2 answering command 1, expected 1/);
    } finally {
      client.close();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('type-checks against the client library', () => {
    // Inside the repository, so `netlink-lab/client` resolves to the built library's types.
    mkdirSync(join(root, '.lab'), { recursive: true });
    const tmp = mkdtempSync(join(root, '.lab', 'ynl-test-'));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it('compiles with strict settings, and a caller gets precise types', () => {
      writeFileSync(join(tmp, 'demo-ynl.ts'), out);
      writeFileSync(
        join(tmp, 'use.ts'),
        [
          "import { openSocket, NETLINK } from 'netlink-lab/client';",
          "import * as demo from './demo-ynl.js';",
          'export async function use(): Promise<void> {',
          '  const sock = openSocket(NETLINK.GENERIC);',
          '  const family = await demo.resolve(sock);',
          "  const r = await demo.itemGet(sock, family, { name: 'x' });",
          "  const name: string | undefined = r.name;",
          '  const id: bigint | undefined = r["big-id"];',
          '  const first: number | undefined = r.links?.[0]?.ifindex;',
          '  for await (const item of demo.itemGetDump(sock, family)) void item.tag?.join();',
          "  await demo.deleteOp(sock, family, { name: 'x' });",
          '  const { socket } = await demo.subscribe();',
          "  socket.on('message', (m) => { const n = demo.decodeNotification(m, family); if (n?.name === 'item-gone') void n.msg.name; });",
          '  void [name, id, first, demo.COLOR.blue, demo.OPTS.loud, demo.NAME_LEN, demo.CMD["item-gone"], demo.toJson(r)];',
          '  // @ts-expect-error: not an attribute of the request',
          "  await demo.deleteOp(sock, family, { data: Buffer.from('x') });",
          '}',
        ].join('\n'),
      );
      const program = ts.createProgram([join(tmp, 'use.ts')], {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        strict: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: true,
        types: ['node'],
        noEmit: true,
      });
      const diags = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(diags).toEqual([]);
    });
  });
});
