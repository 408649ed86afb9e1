// What a field's selection will ask next, read before resolving it, so a resolver can load it in
// the same statement as the field's own row (the alias lookup in one round trip).
import { type GraphQLResolveInfo, Kind, type ValueNode } from 'graphql';

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
