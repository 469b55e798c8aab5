// Generates the reference page of the client library from its TSDoc, with the
// TypeScript compiler API. Run when the site's config loads (dev and build).
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { decodedKinds } from './decoded-kinds.ts';

type Locale = 'en' | 'zh-CN';

const T = {
  en: {
    title: 'Client library reference',
    intro:
      'Everything `netlink-lab/client` exports, generated from the TSDoc comments in `client/src/` when the site is built. Import from `netlink-lab/client`.',
    source: 'Source',
    members: 'Members',
    params: 'Parameters',
    returns: 'Returns',
    throws: 'Throws',
    example: 'Example',
    kinds: { function: 'function', class: 'class', interface: 'interface', type: 'type', const: 'constant', enum: 'enum' },
    decodedTitle: 'What an attribute decodes to',
    decodedIntro:
      '`decodeAttributeSet()` and `decodeScalar()` return each attribute as the JavaScript value of its `kind`: a `binary` attribute is a `Buffer` (turn text into a string yourself, e.g. `value.toString(\'utf8\')`), a `string` attribute is a `string` without its NUL. This table comes from running `decodeScalar()` at build time.',
    decodedHead: '| `kind` | decodes to | payload bytes |',
    anyLength: 'any length',
    nulTerminated: 'any, NUL-terminated',
  },
  'zh-CN': {
    title: '客户端库参考',
    intro:
      '`netlink-lab/client` 导出的全部内容，在构建站点时由 `client/src/` 中的 TSDoc 注释自动生成。说明文字译自源码注释；代码与名称与英文版完全相同。通过 `netlink-lab/client` 导入。',
    source: '源文件',
    members: '成员',
    params: '参数',
    returns: '返回值',
    throws: '抛出',
    example: '示例',
    kinds: { function: '函数', class: '类', interface: '接口', type: '类型', const: '常量', enum: '枚举' },
    decodedTitle: '属性解码成什么',
    decodedIntro:
      '`decodeAttributeSet()` 和 `decodeScalar()` 按属性的 `kind` 返回对应的 JavaScript 值：`binary` 属性是 `Buffer`（要当作文本，自己转换，例如 `value.toString(\'utf8\')`），`string` 属性是去掉 NUL 的 `string`。下表在构建时通过实际调用 `decodeScalar()` 得到。',
    decodedHead: '| `kind` | 解码为 | 载荷字节数 |',
    anyLength: '任意长度',
    nulTerminated: '任意，以 NUL 结尾',
  },
} as const;

type Kind = keyof (typeof T)['en']['kinds'];

/**
 * The zh-CN text of every TSDoc paragraph, keyed by its English (i18n/client.zh-CN.json): a
 * changed comment has no key any more, so it shows up in `referenceTranslations().missing`
 * (content.test.ts fails on it) instead of keeping an outdated translation.
 */
const ZH_FILE = fileURLToPath(new URL('../i18n/client.zh-CN.json', import.meta.url));
let zhCache: Record<string, string> | undefined;
const zhDocs = (): Record<string, string> => (zhCache ??= JSON.parse(readFileSync(ZH_FILE, 'utf8')) as Record<string, string>);

/** Translates one doc text for a locale, noting the English it has no translation for. */
type Translate = (en: string) => string;
function translator(locale: Locale, used: Set<string>, missing: Set<string>): Translate {
  if (locale === 'en') return (en) => en;
  const zh = zhDocs();
  return (en) => {
    if (!en.trim()) return en;
    used.add(en);
    const t = zh[en];
    if (t === undefined) missing.add(en);
    return t ?? en;
  };
}

interface Entry {
  name: string;
  kind: Kind;
  file: string;
  signature: string;
  doc: string;
  tags: { name: string; text: string }[];
  members: { name: string; signature: string; doc: string }[];
}

/** Escapes HTML outside inline code, so `Promise<T>` in prose is not read as a tag. */
function prose(s: string): string {
  return s
    .split(/(`[^`]*`)/)
    .map((p) => (p.startsWith('`') ? p : p.replace(/</g, '&lt;').replace(/\{\{/g, '{ {')))
    .join('');
}

function partsToMarkdown(parts: readonly ts.SymbolDisplayPart[] | undefined, names: Set<string>): string {
  if (!parts) return '';
  let out = '';
  for (const p of parts) {
    if (p.kind === 'link') continue;
    if (p.kind === 'linkName' || p.kind === 'linkText') {
      const name = p.text.trim();
      if (!name) continue;
      const top = name.split('.')[0]!;
      out += names.has(top) ? `[\`${name}\`](#${top})` : `\`${name}\``;
      continue;
    }
    out += p.kind === 'text' || p.kind === 'space' || p.kind === 'lineBreak' ? prose(p.text) : p.text;
  }
  return out.replace(/\{@link\s+([^}\s|]+)[^}]*\}/g, (_, n: string) => `\`${n}\``);
}

const withoutBody = (node: ts.Node, sf: ts.SourceFile): string => {
  const text = node.getText(sf);
  const body = (node as { body?: ts.Node }).body;
  return body ? text.slice(0, body.getStart(sf) - node.getStart(sf)).trimEnd() + ';' : text;
};

export function collect(entry: string): { modules: { file: string; doc: string; entries: Entry[] }[] } {
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(entry)!;
  const root = dirname(entry);
  const moduleSymbol = checker.getSymbolAtLocation(sf)!;
  const exports = checker.getExportsOfModule(moduleSymbol);
  const names = new Set(exports.map((s) => s.getName()));
  const byFile = new Map<string, Entry[]>();
  for (const exported of exports) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = symbol.declarations?.[0];
    if (!decl) continue;
    const dsf = decl.getSourceFile();
    const file = relative(root, dsf.fileName);
    let kind: Kind;
    let signature: string;
    const members: Entry['members'] = [];
    if (ts.isFunctionDeclaration(decl)) {
      kind = 'function';
      signature = symbol.declarations!.filter(ts.isFunctionDeclaration).map((d) => withoutBody(d, dsf).replace(/^export\s+/, '')).join('\n');
    } else if (ts.isClassDeclaration(decl) || ts.isInterfaceDeclaration(decl)) {
      kind = ts.isClassDeclaration(decl) ? 'class' : 'interface';
      const heritage = decl.heritageClauses?.map((h) => h.getText(dsf)).join(' ') ?? '';
      const tparams = decl.typeParameters ? `<${decl.typeParameters.map((t) => t.getText(dsf)).join(', ')}>` : '';
      signature = `${kind} ${symbol.getName()}${tparams}${heritage ? ` ${heritage}` : ''}`;
      for (const m of decl.members as ts.NodeArray<ts.ClassElement | ts.TypeElement>) {
        const mods = ts.canHaveModifiers(m) ? (ts.getModifiers(m) ?? []) : [];
        if (mods.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
        if (m.name && ts.isPrivateIdentifier(m.name)) continue;
        const msym = m.name ? checker.getSymbolAtLocation(m.name) : undefined;
        const name = m.name ? m.name.getText(dsf) : ts.isConstructorDeclaration(m) ? 'constructor' : m.getText(dsf).split('(')[0]!;
        if (name.startsWith('_')) continue;
        const doc = msym ? partsToMarkdown(msym.getDocumentationComment(checker), names) : '';
        members.push({ name, signature: withoutBody(m, dsf).replace(/;?$/, ';'), doc });
      }
    } else if (ts.isTypeAliasDeclaration(decl)) {
      kind = 'type';
      signature = decl.getText(dsf).replace(/^export\s+/, '');
    } else if (ts.isEnumDeclaration(decl)) {
      kind = 'enum';
      signature = decl.getText(dsf).replace(/^export\s+/, '');
    } else if (ts.isVariableDeclaration(decl)) {
      kind = 'const';
      const text = decl.getText(dsf);
      signature = `const ${text.length > 1200 ? `${decl.name.getText(dsf)}: ${checker.typeToString(checker.getTypeAtLocation(decl))}` : text};`;
    } else continue;
    const doc = partsToMarkdown(symbol.getDocumentationComment(checker), names);
    const tags = symbol
      .getJsDocTags(checker)
      .filter((t) => ['param', 'returns', 'throws', 'example'].includes(t.name))
      .map((t) => ({ name: t.name, text: partsToMarkdown(t.text, names) }));
    const list = byFile.get(file) ?? [];
    list.push({ name: symbol.getName() === 'default' ? exported.getName() : exported.getName(), kind, file, signature, doc, tags, members });
    byFile.set(file, list);
  }
  const modules = [...byFile].map(([file, entries]) => {
    const src = program.getSourceFile(join(root, file));
    const first = src?.statements[0];
    const jsdoc = first ? ts.getJSDocCommentsAndTags(first).find(ts.isJSDoc) : undefined;
    const comment = src?.getFullText().match(/^\s*\/\*\*([\s\S]*?)\*\//)?.[1] ?? '';
    const isModuleDoc = /@module|@packageDocumentation/.test(comment);
    const doc = isModuleDoc
      ? prose(comment.split('\n').map((l) => l.replace(/^\s*\*\s?/, '')).filter((l) => !/^@(module|packageDocumentation)/.test(l)).join('\n').trim())
      : (jsdoc ? '' : '');
    return { file, doc, entries };
  });
  return { modules };
}

/** The kind → JavaScript type table, from the ScalarKind union the client exports. */
function decodedSection(locale: Locale, modules: { entries: Entry[] }[]): string[] {
  const t = T[locale];
  const alias = modules.flatMap((m) => m.entries).find((e) => e.name === 'ScalarKind');
  if (!alias) return [];
  const kinds = [...alias.signature.matchAll(/'([a-z0-9]+)'/g)].map((m) => m[1]!);
  const rows = decodedKinds(kinds).map(({ kind, jsType, widths }) => {
    const bytes = kind === 'string' ? t.nulTerminated : widths.length === 5 ? t.anyLength : widths.join(', ');
    return `| \`${kind}\` | \`${jsType}\` | ${bytes} |`;
  });
  return [`## ${t.decodedTitle} {#decoded-values}`, '', t.decodedIntro, '', t.decodedHead, '| --- | --- | --- |', ...rows, ''];
}

/** The reference page in a locale; `missing` collects the doc texts shown in English for want of a translation. */
export function renderReference(locale: Locale, entry: string, used = new Set<string>(), missing = new Set<string>()): string {
  const t = T[locale];
  const tr = translator(locale, used, missing);
  const { modules } = collect(entry);
  const out: string[] = [
    '---',
    'editLink: false',
    '---',
    '',
    // One anchor in both locales, as every heading of the site (docs/README.md).
    `# ${t.title} {#client-library-reference}`,
    '',
    '<!-- Generated by docs/.vitepress/gen/client-reference.ts: edit the TSDoc in client/src/, not this file. -->',
    '',
    t.intro,
    '',
    ...decodedSection(locale, modules),
  ];
  for (const m of modules) {
    if (m.file === 'index.ts') continue;
    out.push(`## ${m.file.replace(/\.ts$/, '')} {#module-${m.file.replace(/\.ts$/, '')}}`, '', `${t.source}: \`client/src/${m.file}\``, '');
    if (m.doc) out.push(tr(m.doc), '');
    for (const e of m.entries) {
      out.push(`### ${e.name} <Badge type="info" text="${t.kinds[e.kind]}" /> {#${e.name}}`, '');
      out.push('```ts', e.signature, '```', '');
      if (e.doc) out.push(tr(e.doc), '');
      const params = e.tags.filter((x) => x.name === 'param');
      if (params.length) {
        out.push(`**${t.params}**`, '');
        for (const p of params) {
          const [name, ...rest] = p.text.split(/\s+/);
          out.push(`- \`${name}\` ${tr(rest.join(' ').replace(/^-\s*/, ''))}`);
        }
        out.push('');
      }
      for (const x of e.tags.filter((x) => x.name === 'returns')) out.push(`**${t.returns}:** ${tr(x.text)}`, '');
      for (const x of e.tags.filter((x) => x.name === 'throws')) out.push(`**${t.throws}:** ${tr(x.text)}`, '');
      for (const x of e.tags.filter((x) => x.name === 'example')) out.push(`**${t.example}**`, '', x.text.includes('```') ? x.text : `\`\`\`ts\n${x.text}\n\`\`\``, '');
      if (e.members.length) {
        out.push(`**${t.members}**`, '');
        for (const mem of e.members) {
          out.push(`- \`${mem.signature.replace(/\s+/g, ' ').replace(/`/g, "'")}\`${mem.doc ? ` — ${tr(mem.doc.replace(/\n+/g, ' '))}` : ''}`);
        }
        out.push('');
      }
    }
  }
  return out.join('\n');
}

/**
 * Which zh-CN translations the reference lacks (English shown instead) and which are no longer
 * used (their English comment changed or went away).
 */
export function referenceTranslations(entry: string): { missing: string[]; unused: string[] } {
  const used = new Set<string>();
  const missing = new Set<string>();
  renderReference('zh-CN', entry, used, missing);
  return { missing: [...missing], unused: Object.keys(zhDocs()).filter((en) => !used.has(en)) };
}

/** Writes docs/reference/client.md and docs/zh-CN/reference/client.md; returns false if the client is missing. */
export function writeClientReference(docsDir: string, entry: string): boolean {
  const found = existsSync(entry);
  for (const locale of ['en', 'zh-CN'] as const) {
    const file = join(docsDir, locale === 'en' ? '' : 'zh-CN', 'reference/client.md');
    const text = found ? renderReference(locale, entry) : `# ${T[locale].title} {#client-library-reference}\n\n\`client/src/index.ts\` —  not found.\n`;
    mkdirSync(dirname(file), { recursive: true });
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  }
  return found;
}
