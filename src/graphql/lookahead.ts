// What a field's selection will ask next, read before resolving it, so a resolver can load it in
// the same statement as the field's own row (the alias lookup in one round trip), or together
// with it for all rows of a page (the tags and aliases of a dashboard's versions).
import { type GraphQLResolveInfo, Kind, type SelectionNode, type ValueNode } from 'graphql';

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
 * Which of `fields` a connection field's selection asks of its items, as plain fields selected
 * directly under `nodes { }` or `edges { node { } }`. Fragments are not looked into: a field missed
 * here is loaded the usual way, which is as correct.
 */
export function itemFieldsSelected<F extends string>(info: GraphQLResolveInfo, fields: readonly F[]): F[] {
  const selected = new Set<F>();
  const collect = (selections: readonly SelectionNode[] | undefined) => {
    for (const selection of selections ?? []) {
      if (selection.kind === Kind.FIELD && (fields as readonly string[]).includes(selection.name.value))
        selected.add(selection.name.value as F);
    }
  };
  for (const node of info.fieldNodes) {
    for (const selection of node.selectionSet?.selections ?? []) {
      if (selection.kind !== Kind.FIELD) continue;
      if (selection.name.value === 'nodes') collect(selection.selectionSet?.selections);
      else if (selection.name.value === 'edges') {
        for (const inner of selection.selectionSet?.selections ?? []) {
          if (inner.kind === Kind.FIELD && inner.name.value === 'node') collect(inner.selectionSet?.selections);
        }
      }
    }
  }
  // In the order of `fields`: the answer is part of a batch key, where the same set must be equal.
  return fields.filter((f) => selected.has(f));
}
