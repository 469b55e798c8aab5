// The client's errors.ts names errnos from node:os's constants. In the browser bundle (the
// message viewer, theme/viewer/) node:os is this module instead: the same errno table, taken
// at build time from the Node that builds the site. Server rendering keeps the real node:os.
import { constants } from 'node:os';

const ID = '\0nlab-browser-os';

/** The plugin, typed structurally: the site's Vite is VitePress's own copy, not the root one. */
export function browserOs(): {
  name: string;
  enforce: 'pre';
  resolveId: (id: string, importer: string | undefined, options?: { ssr?: boolean }) => string | undefined;
  load: (id: string) => string | undefined;
} {
  return {
    name: 'nlab-browser-os',
    enforce: 'pre',
    resolveId: (id, _importer, options) => (id === 'node:os' && !options?.ssr ? ID : undefined),
    load: (id) => (id === ID ? `export const constants = ${JSON.stringify({ errno: constants.errno })};\n` : undefined),
  };
}
