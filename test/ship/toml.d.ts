// Bun imports TOML files natively (the parsed document is the default export). Typed as unknown
// data on purpose: tests narrow it field by field instead of trusting a hand-written shape.
declare module '*.toml' {
  const document: Readonly<Record<string, unknown>>;
  export default document;
}
