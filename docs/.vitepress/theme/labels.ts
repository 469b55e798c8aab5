// Screen-reader labels that VitePress's theme writes in English with no setting to change them.
// A zh-CN page gets them in Chinese twice over: in its built HTML (config.ts, transformHtml) and
// after every client-side navigation (index.ts), since the nav bar and sidebar outlive a page.

/** English label → zh-CN. */
export const THEME_LABELS: Record<string, string> = {
  'extra navigation': '更多导航',
  'mobile navigation': '移动端导航',
  'toggle section': '展开或折叠本节',
};

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** The built HTML of a zh-CN page with the theme's labels in Chinese. */
export function localizeThemeHtml(html: string): string {
  let out = html;
  for (const [en, zh] of Object.entries(THEME_LABELS)) out = out.split(`aria-label="${escapeAttr(en)}"`).join(`aria-label="${escapeAttr(zh)}"`);
  return out;
}

/** Sets the labels of the rendered page to its language (either way: the Layout stays mounted across a language switch). */
export function localizeThemeDom(doc: Document): void {
  const zh = doc.documentElement.lang === 'zh-CN';
  for (const [en, t] of Object.entries(THEME_LABELS)) {
    const [from, to] = zh ? [en, t] : [t, en];
    for (const el of doc.querySelectorAll(`[aria-label="${CSS.escape(from)}"]`)) el.setAttribute('aria-label', to);
  }
}
