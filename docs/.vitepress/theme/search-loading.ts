// The local search loads its index (400–500 KB per language) only when the box first opens, and
// until then a query shows nothing at all. This says "loading" in the box while the index is on
// its way, and starts fetching it as soon as the pointer or focus reaches the search button.
// VitePress's search box has no slot for it: the line is added beside its result list.

const TEXT: Record<string, string> = { root: 'Loading the search index…', 'zh-CN': '正在加载搜索索引…' };

type IndexLoaders = Record<string, () => Promise<unknown>>;
const loaded = new Map<string, Promise<void>>();
const done = new Set<string>();

/** The search index's locale key for the current page: 'root' or 'zh-CN' (VitePress's own keys). */
const localeKey = (): string => (/^\/zh-CN(\/|$)/.test(location.pathname) ? 'zh-CN' : 'root');

/** Starts loading a locale's index (the same chunk the search box imports) and remembers when it arrived. */
function load(key: string): Promise<void> {
  let p = loaded.get(key);
  if (!p) {
    p = import('@localSearchIndex')
      .then(async ({ default: loaders }: { default: IndexLoaders }) => {
        await loaders[key]?.();
        done.add(key);
      })
      .catch(() => {
        // A failed load is the search box's to report; only stop saying "loading".
        done.add(key);
        loaded.delete(key);
      });
    loaded.set(key, p);
  }
  return p;
}

function showLoading(box: Element): void {
  const key = localeKey();
  if (done.has(key) || box.querySelector('.nlab-search-loading')) return;
  const note = document.createElement('p');
  note.className = 'nlab-search-loading';
  note.setAttribute('role', 'status');
  note.textContent = TEXT[key] ?? TEXT.root!;
  const results = box.querySelector('.results');
  if (results) results.after(note);
  else box.querySelector('.shell')?.append(note);
  // The box parses the index after the chunk arrives; leave the note up for that one frame too.
  void load(key).then(() => requestAnimationFrame(() => note.remove()));
}

/** Watches for the search box and warms the index when the search button is approached. */
export function installSearchLoading(doc: Document): void {
  const warm = (e: Event): void => {
    if ((e.target as Element | null)?.closest?.('.VPNavBarSearch')) void load(localeKey());
  };
  doc.addEventListener('pointerover', warm, { passive: true });
  doc.addEventListener('focusin', warm);
  new MutationObserver(() => {
    const box = doc.querySelector('.VPLocalSearchBox');
    if (box) showLoading(box);
  }).observe(doc.body, { childList: true });
}
