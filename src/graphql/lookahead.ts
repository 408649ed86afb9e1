// What a field's selection will ask next, read before resolving it, so a resolver can load it in
// the same statement as the field's own row (the alias lookup in one round trip), or together
// with it for all rows of a page (the tags and aliases of a dashboard's versions, and only the
// columns its fields read).
import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode, type ValueNode } from 'graphql';

function stringValue(node: ValueNode, variables: Record<string, unknown>): string | null {
  if (node.kind === Kind.STRING) return node.value;
  if (node.kind === Kind.VARIABLE) {
    const value = variables[node.name.value];
    return typeof value === 'string' ? value : null;
  }
  return null;
}

/**
 * The aliases the selection asks `versionByAlias(alias:)` of as they are now (without `at`).
 * Directly selected fields only: a fragment's are loaded the usual way, which is as correct.
 */
export function aliasesLookedUp(info: GraphQLResolveInfo): string[] {
  const aliases = new Set<string>();
  for (const node of info.fieldNodes) {
    for (const selection of node.selectionSet?.selections ?? []) {
      if (selection.kind !== Kind.FIELD || selection.name.value !== 'versionByAlias') continue;
      const args = selection.arguments ?? [];
      if (args.some((a) => a.name.value === 'at')) continue;
      const alias = args.find((a) => a.name.value === 'alias');
      const value = alias ? stringValue(alias.value, info.variableValues) : null;
      if (value !== null) aliases.add(value);
    }
  }
  return [...aliases];
}

/**
 * Every field name the items of a connection field may be asked, under `nodes { }` or
 * `edges { node { } }`, through inline and named fragments too (whatever their type conditions and
 * directives say: a superset is safe).
 */
export function itemFieldNames(info: GraphQLResolveInfo): Set<string> {
  const names = new Set<string>();
  const visit = (set: SelectionSetNode | undefined, onField: (field: FieldNode) => void, seen = new Set<string>()) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) onField(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, onField, seen);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        visit(info.fragments[selection.name.value]?.selectionSet, onField, seen);
      }
    }
  };
  const item = (field: FieldNode) => visit(field.selectionSet, (f) => names.add(f.name.value));
  for (const node of info.fieldNodes) {
    visit(node.selectionSet, (field) => {
      if (field.name.value === 'nodes') item(field);
      else if (field.name.value === 'edges') visit(field.selectionSet, (inner) => inner.name.value === 'node' && item(inner));
    });
  }
  return names;
}
