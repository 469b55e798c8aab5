// What Vite gives the theme, for its type-check (tsc -p docs): single-file components, and
// import.meta.env.DEV (true under docs:dev, false in the build).
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}

interface ImportMeta {
  readonly env: { readonly DEV: boolean };
}
