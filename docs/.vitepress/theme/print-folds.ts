// Folded solutions print open. custom.css does it with ::details-content where the browser has
// it; this opens the folds for the print itself in every browser, and closes them afterwards.
const MARK = 'data-nlab-opened-for-print';

export function installPrintFolds(win: Window): void {
  win.addEventListener('beforeprint', () => {
    for (const d of win.document.querySelectorAll<HTMLDetailsElement>('.vp-doc details:not([open])')) {
      d.setAttribute(MARK, '');
      d.open = true;
    }
  });
  win.addEventListener('afterprint', () => {
    for (const d of win.document.querySelectorAll<HTMLDetailsElement>(`.vp-doc details[${MARK}]`)) {
      d.removeAttribute(MARK);
      d.open = false;
    }
  });
}
