// VitePress's virtual module of the local search: one loader per locale key ('root', 'zh-CN').
declare module '@localSearchIndex' {
  const loaders: Record<string, () => Promise<{ default: string }>>;
  export default loaders;
}
