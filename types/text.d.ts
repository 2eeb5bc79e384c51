// esbuild (the stack's bundler) loads a .txt file as its text: the embed function bundles the built widget so.
declare module '*.txt' {
  const text: string;
  export default text;
}
