// Stands in for relay-runtime's `graphql` tag: relay-compiler reads the tagged templates
// and replaces them at build time, so the fixture needs no runtime package.
export function graphql(strings: TemplateStringsArray): string {
  return strings.join("");
}
