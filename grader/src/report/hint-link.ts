// Where a check's hint link points in the terminal: the section of the lesson page on the
// local site when one is running, else the built page, else the address `docs:dev` serves
// it at. Pure: the report's hintLink (docs/lessons/<lesson>.md#check-<id>) and where the
// site is in, a link out.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type DocsSite =
  /** A VitePress server (`docs:dev` or `docs:preview`) answers at this origin. */
  | { kind: 'server'; origin: string }
  /** No server, but the site is built in this folder (docs/.vitepress/dist). */
  | { kind: 'built'; dist: string }
  /** Neither: show where `docs:dev` will serve the page. */
  | { kind: 'none'; origin: string };

export type DocsLocale = 'en' | 'zh-CN';

/** The site path of a hint link, e.g. /lessons/<id>#check-answer-header; undefined if it is not one. */
export function sitePath(hintLink: string, locale: DocsLocale = 'en'): { page: string; anchor: string } | undefined {
  const m = /^docs\/((?:[\w-]+\/)*[\w-]+)\.md(#[\w=&-]+)?$/.exec(hintLink);
  if (!m) return undefined;
  return { page: `${locale === 'en' ? '' : `/${locale}`}/${m[1]}`, anchor: m[2] ?? '' };
}

/** The link the terminal report prints for a hint. */
export function hintUrl(hintLink: string, site: DocsSite, locale: DocsLocale = 'en'): string {
  const p = sitePath(hintLink, locale);
  if (!p) return hintLink;
  if (site.kind === 'server') return `${site.origin}${p.page}${p.anchor}`;
  if (site.kind === 'built') return `${pathToFileURL(join(site.dist, `${p.page}.html`)).href}${p.anchor}`;
  return `${site.origin}${p.page}${p.anchor} (npm run docs:dev serves it)`;
}

/** The student's language for the docs, from the usual locale variables. */
export function docsLocale(env: NodeJS.ProcessEnv = process.env): DocsLocale {
  const lang = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh\b|^zh_/i.test(lang) ? 'zh-CN' : 'en';
}
