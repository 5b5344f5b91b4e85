import { Document, isScalar, visit } from 'yaml';

/** YAML with lists of scalars on one line (`budgets: [16, 32]`), as recipes are written. */
export function toYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Map(_, node) {
      // `type:` first: it says what the rest of the block configures
      node.items.sort((a, b) => Number(isScalar(b.key) && b.key.value === 'type') - Number(isScalar(a.key) && a.key.value === 'type'));
    },
    Seq(_, node) {
      if (node.items.every((i) => isScalar(i))) node.flow = true;
    },
  });
  return doc.toString();
}
