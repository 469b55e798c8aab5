// Where a loaded module's functions live, kept past its rmmod: once a module is gone the
// kernel prints its addresses raw, so a leak scan after rmmod names the allocating function
// from this. Symbols come from the .ko's own ELF symbol table, section bases from
// /sys/module/<name>/sections/ (root only), so nothing walks /proc/kallsyms.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface Func {
  name: string;
  start: bigint;
  size: bigint;
}

export interface ModuleImage {
  name: string;
  /** `nlab_kv_set+0x5c/0x1a0 [nlab_kv]`, or undefined when `addr` is not this module's. */
  symbolize(addr: bigint): string | undefined;
}

const SHT_SYMTAB = 2;
const STT_FUNC = 2;

interface SectionHeader {
  name: string;
  type: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

/** ELF64 little-endian (x86-64 modules): function symbols per section name, offsets within it. */
function elfFunctions(ko: Buffer): Map<string, { name: string; value: bigint; size: bigint }[]> {
  const shoff = Number(ko.readBigUInt64LE(0x28));
  const shentsize = ko.readUInt16LE(0x3a);
  const shnum = ko.readUInt16LE(0x3c);
  const shstrndx = ko.readUInt16LE(0x3e);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      nameOff: ko.readUInt32LE(at),
      type: ko.readUInt32LE(at + 4),
      offset: Number(ko.readBigUInt64LE(at + 0x18)),
      size: Number(ko.readBigUInt64LE(at + 0x20)),
      link: ko.readUInt32LE(at + 0x28),
      entsize: Number(ko.readBigUInt64LE(at + 0x38)),
    };
  });
  const cstr = (off: number) => ko.toString('latin1', off, ko.indexOf(0, off));
  const shstr = raw[shstrndx]!;
  const sections: SectionHeader[] = raw.map((s) => ({ ...s, name: cstr(shstr.offset + s.nameOff) }));
  const out = new Map<string, { name: string; value: bigint; size: bigint }[]>();
  for (const symtab of sections.filter((s) => s.type === SHT_SYMTAB)) {
    const strtab = sections[symtab.link]!;
    for (let at = symtab.offset; at + symtab.entsize <= symtab.offset + symtab.size; at += symtab.entsize) {
      const info = ko.readUInt8(at + 4);
      const shndx = ko.readUInt16LE(at + 6);
      if ((info & 0xf) !== STT_FUNC || shndx === 0 || shndx >= sections.length) continue;
      const section = sections[shndx]!.name;
      const list = out.get(section) ?? [];
      list.push({ name: cstr(strtab.offset + ko.readUInt32LE(at)), value: ko.readBigUInt64LE(at + 8), size: ko.readBigUInt64LE(at + 16) });
      out.set(section, list);
    }
  }
  return out;
}

type Symbols = Map<string, { name: string; value: bigint; size: bigint }[]>;

/**
 * Parsed symbol tables by .ko path, size and mtime: the health gate takes an image after
 * every check, and a module file changes only between grades.
 */
const parsed = new Map<string, Symbols>();

function symbolsOf(koPath: string): Symbols | undefined {
  try {
    const st = statSync(koPath);
    const key = `${koPath}\0${st.size}\0${st.mtimeMs}`;
    let symbols = parsed.get(key);
    if (!symbols) {
      symbols = elfFunctions(readFileSync(koPath));
      parsed.set(key, symbols);
    }
    return symbols;
  } catch {
    return undefined;
  }
}

/** Load addresses of the `sections` that hold functions, from sysfs; empty when the module is not loaded. */
function sectionBases(name: string, sections: Iterable<string>): Map<string, bigint> {
  const bases = new Map<string, bigint>();
  for (const section of sections) {
    try {
      const addr = BigInt(readFileSync(join(`/sys/module/${name}/sections`, section), 'utf8').trim());
      if (addr !== 0n) bases.set(section, addr);
    } catch {
      // not loaded, or a section the kernel freed after init (.init.text): it names no live function
    }
  }
  return bases;
}

/** The image of loaded module `name` built from `koPath`; undefined when it is not loaded. */
export function captureModuleImage(name: string, koPath: string): ModuleImage | undefined {
  const symbols = symbolsOf(koPath);
  if (!symbols) return undefined;
  const bases = sectionBases(name, symbols.keys());
  if (bases.size === 0) return undefined;
  const funcs: Func[] = [];
  for (const [section, list] of symbols) {
    const base = bases.get(section);
    if (base === undefined) continue;
    for (const f of list) funcs.push({ name: f.name, start: base + f.value, size: f.size > 0n ? f.size : 1n });
  }
  return {
    name,
    symbolize(addr) {
      const f = funcs.find((x) => addr >= x.start && addr < x.start + x.size);
      return f ? `${f.name}+0x${(addr - f.start).toString(16)}/0x${f.size.toString(16)} [${name}]` : undefined;
    },
  };
}
