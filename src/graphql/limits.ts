// Limits on the shape of an operation, checked before it runs: depth, aliases, root fields and a
// complexity estimate. Together with the page-size cap (`first` <= 100) they bound the work one
// request can ask for. The defaults fit the dashboard query (see test/graphql/batching.test.ts) with a
// page of 100 models (cost 43,501) and GraphiQL's schema query (about 52,000); README "Limits"
// lists them with their settings.
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  GraphQLError,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  Kind,
  getNamedType,
  parse,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  isAbstractType,
  valueFromASTUntyped,
  visit,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLLimits } from '../config.ts';
import { LIMITS } from '../registry/rules/validation.ts';

/**
 * How many items a list field is assumed to return when it has no `first` argument (tags,
 * aliases, and the lists of introspection). Connection fields count their `first`.
 */
export const ASSUMED_LIST_LENGTH = 10;

export interface OperationShape {
  depth: number;
  complexity: number;
  aliases: number;
  rootFields: number;
}

class LimitExceeded extends Error {}

/**
 * Measures an operation. Cost: every field costs 1, plus one per item of the list values in its
 * arguments (tag filters, actions, tags), and the cost of what it selects is multiplied by the
 * number of items it returns (`first`, default 20 and at most the page maximum, for connections;
 * ASSUMED_LIST_LENGTH for other lists; a connection's own edges and nodes are its page, not
 * another multiplication). A selection on an interface or union costs what it would cost on its
 * most expensive possible type, each fragment counted against its own type condition.
 * Stops (complexity = Infinity) once more fields were visited than `stopAfter`: fragment bombs
 * cannot make the measuring itself expensive.
 *
 * Runs on every request, so a shape is remembered per document (yoga's parser cache hands back the
 * same DocumentNode for the same text, and the server never changes a parsed one), per operation, per
 * `stopAfter` and per the signature of the variables (see variablesSignature).
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  stopAfter = Number.POSITIVE_INFINITY,
): OperationShape | null {
  let cache = documentCaches.get(document);
  if (!cache || cache.schema !== schema) {
    cache = documentCache(schema, document);
    documentCaches.set(document, cache);
  }
  const signature = variablesSignature(cache, variables);
  if (signature === undefined) return walkOperation(schema, document, operationName, variables, stopAfter);
  // The signature holds no `|`, so the operation name (any string a client sends) can end the key.
  const key = `${stopAfter}|${signature}|${operationName || ''}`;
  let shape = cache.shapes.get(key);
  if (shape === undefined) {
    shape = walkOperation(schema, document, operationName, variables, stopAfter);
    if (cache.shapes.size >= SHAPES_PER_DOCUMENT) cache.shapes.delete(cache.shapes.keys().next().value!);
    cache.shapes.set(key, shape);
  }
  // A copy: a caller changing its result must not change what later requests are measured as.
  return shape && { ...shape };
}

/**
 * Bounds on the cache: varied variables (a new `first` each time) replace the oldest shapes rather
 * than grow memory, and variables too large to sign cheaply are measured directly, as before.
 */
const SHAPES_PER_DOCUMENT = 32;
const SIGNATURE_MAX_LENGTH = 256;
const SIGNATURE_MAX_NODES = 1_000;

interface DocumentCache {
  schema: GraphQLSchema;
  /** The variables the document's arguments refer to, and those given directly as `first`. */
  variables: readonly string[];
  firsts: ReadonlySet<string>;
  /** A walk's result (null: no such operation) by key, oldest first. */
  shapes: Map<string, OperationShape | null>;
}

const documentCaches = new WeakMap<DocumentNode, DocumentCache>();
let walks = 0;

/** How many operations were measured by walking them, not from the cache (for tests). */
export function measureCacheStats(): { walks: number } {
  return { walks };
}

function documentCache(schema: GraphQLSchema, document: DocumentNode): DocumentCache {
  const variables = new Set<string>();
  const firsts = new Set<string>();
  visit(document, {
    // Declared but unused variables change nothing; declarations hold no other variables.
    VariableDefinition: () => false,
    Argument(node) {
      if (node.name.value === 'first' && node.value.kind === Kind.VARIABLE) firsts.add(node.value.name.value);
    },
    Variable(node) {
      variables.add(node.name.value);
    },
  });
  return { schema, variables: [...variables], firsts, shapes: new Map() };
}

/**
 * What the variables contribute to the shape, or undefined when too large to be worth caching.
 * A variable given as `first` counts by its value when it is a number (any other value falls back
 * to the default page). Everywhere else a value counts only through itemsIn: the nodes it visits
 * (which decide where `stopAfter` cuts the walk) and the list items it finds, so those two numbers,
 * counted by itemsIn itself, stand for it: `"a"` and `true` alike are one node and no items.
 */
function variablesSignature(cache: DocumentCache, variables: Record<string, unknown> | null | undefined): string | undefined {
  const counter = { visited: 0, stopAfter: SIGNATURE_MAX_NODES };
  let signature = '';
  try {
    for (const name of cache.variables) {
      // As valueFromASTUntyped looks a variable up.
      const value = variables?.[name];
      if (cache.firsts.has(name) && typeof value === 'number') signature += `n${value},`;
      else {
        const before = counter.visited;
        const items = itemsIn(counter, value);
        signature += `${counter.visited - before}.${items},`;
      }
      if (signature.length > SIGNATURE_MAX_LENGTH) return undefined;
    }
  } catch (error) {
    if (error instanceof LimitExceeded) return undefined;
    throw error;
  }
  return signature;
}

/** One measurement under way; module-level functions take it instead of closing over it per call. */
interface Walk {
  schema: GraphQLSchema;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: Record<string, unknown> | undefined;
  stopAfter: number;
  visited: number;
  depth: number;
}

function walkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  stopAfter: number,
): OperationShape | null {
  walks++;
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return null;
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  const walk: Walk = { schema, fragments, variables: variables ?? undefined, stopAfter, visited: 0, depth: 0 };
  let complexity: number;
  let aliases = 0;
  try {
    const measured = cost(walk, operation.selectionSet, root, 1, new Set());
    complexity = measured.cost;
    aliases = measured.aliases;
  } catch (error) {
    if (!(error instanceof LimitExceeded)) throw error;
    complexity = Number.POSITIVE_INFINITY;
  }
  return { depth: walk.depth, complexity, aliases, rootFields: rootFieldCount(walk, operation.selectionSet, root) };
}

/** Whether a fragment with this type condition applies to objects of `type`. */
function applies(schema: GraphQLSchema, condition: string | undefined, type: GraphQLNamedType | null | undefined): boolean {
  if (!condition || !type) return true;
  if (condition === type.name) return true;
  const conditionType = schema.getType(condition);
  return !!conditionType && isAbstractType(conditionType) && isObjectType(type) && schema.isSubType(conditionType, type);
}

/**
 * The fields of a selection set on objects of `type`, fragments and inline fragments expanded
 * where their type condition applies (cycles cut). Lazy, so that `stopAfter` cuts a fragment bomb
 * before it is expanded.
 */
function* fieldsOf(
  walk: Walk,
  set: SelectionSetNode,
  type: GraphQLNamedType | null | undefined,
  seen: ReadonlySet<string>,
): Generator<FieldNode> {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) yield selection;
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(walk.schema, selection.typeCondition?.name.value, type)) yield* fieldsOf(walk, selection.selectionSet, type, seen);
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (fragment && !seen.has(name) && applies(walk.schema, fragment.typeCondition.name.value, type)) {
        yield* fieldsOf(walk, fragment.selectionSet, type, new Set([...seen, name]));
      }
    }
  }
}

function argumentValue(walk: Walk, field: FieldNode, name: string): unknown {
  const arg = field.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  return valueFromASTUntyped(arg.value, walk.variables);
}

/**
 * Items in a list value, at any nesting (a filter's tags, actions), each value visited counted
 * against `stopAfter`. Also what variablesSignature counts a variable by, so the two agree.
 */
function itemsIn(counter: { visited: number; stopAfter: number }, value: unknown): number {
  if (++counter.visited > counter.stopAfter) throw new LimitExceeded();
  let items = 0;
  if (Array.isArray(value)) {
    items += value.length;
    for (const item of value) items += itemsIn(counter, item);
  } else if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) items += itemsIn(counter, inner);
  }
  return items;
}

/** Items in the list values of a field's arguments. */
function inputItems(walk: Walk, field: FieldNode): number {
  let items = 0;
  for (const arg of field.arguments ?? []) items += itemsIn(walk, valueFromASTUntyped(arg.value, walk.variables));
  return items;
}

function fieldDef(parent: GraphQLNamedType | null | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (parent && (isObjectType(parent) || isInterfaceType(parent))) return parent.getFields()[name];
  return undefined;
}

interface Measure {
  cost: number;
  aliases: number;
}

/** A selection set's measure on objects of `parent` at `level`, the fragments in `seen` not spread again. */
type Costing = (
  walk: Walk,
  set: SelectionSetNode,
  parent: GraphQLNamedType | null | undefined,
  level: number,
  seen: ReadonlySet<string>,
) => Measure;

/** On an abstract type: the most expensive of its possible types (aliases likewise). */
const cost: Costing = (walk, set, parent, level, seen) => {
  if (!parent || !isAbstractType(parent)) return costOn(walk, set, parent, level, seen);
  const worst: Measure = { cost: 0, aliases: 0 };
  for (const type of walk.schema.getPossibleTypes(parent)) {
    const m = costOn(walk, set, type, level, seen);
    worst.cost = Math.max(worst.cost, m.cost);
    worst.aliases = Math.max(worst.aliases, m.aliases);
  }
  return worst;
};

const costOn: Costing = (walk, set, parent, level, seen) => {
  const { schema } = walk;
  let total = 0;
  let aliases = 0;
  for (const field of fieldsOf(walk, set, parent, seen)) {
    if (++walk.visited > walk.stopAfter) throw new LimitExceeded();
    if (field.alias) aliases++;
    walk.depth = Math.max(walk.depth, level);
    const name = field.name.value;
    if (name === '__typename') continue;
    const def = fieldDef(parent, name) ?? (name === '__schema' ? schema.getQueryType()?.getFields().__schema : undefined);
    const type = def ? def.type : null;
    let multiplier = 1;
    if (def?.args.some((a) => a.name === 'first')) {
      // Clamped to the page maximum: a larger `first` is refused by the page check, with the
      // message that states the bound, not by this estimate.
      const first = argumentValue(walk, field, 'first');
      multiplier = typeof first === 'number' && first >= 1 ? Math.min(first, LIMITS.pageSizeMax) : LIMITS.pageSizeDefault;
    } else if (type && isListType(getNullableType(type)) && !parent?.name.endsWith('Connection')) {
      multiplier = ASSUMED_LIST_LENGTH;
    }
    const childType = type
      ? getNamedType(type)
      : name === '__schema'
        ? schema.getType('__Schema')
        : name === '__type'
          ? schema.getType('__Type')
          : null;
    const childLevel = name === 'ofType' ? level : level + 1;
    const children = field.selectionSet ? cost(walk, field.selectionSet, childType, childLevel, seen) : { cost: 0, aliases: 0 };
    total += 1 + inputItems(walk, field) + multiplier * children.cost;
    aliases += children.aliases;
  }
  return { cost: total, aliases };
};

/**
 * The fields selected at the root, fragments counted where they are spread, each fragment's
 * count computed once: repeated spreads (2^n expansions) cost nothing to count.
 */
function rootFieldCount(walk: Walk, set: SelectionSetNode, root: GraphQLNamedType | null | undefined): number {
  const memo = new Map<string, number>();
  const countOf = (set: SelectionSetNode, seen: ReadonlySet<string>): number => {
    let n = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) n++;
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(walk.schema, selection.typeCondition?.name.value, root)) n += countOf(selection.selectionSet, seen);
      } else {
        const name = selection.name.value;
        const fragment = walk.fragments.get(name);
        if (!fragment || seen.has(name) || !applies(walk.schema, fragment.typeCondition.name.value, root)) continue;
        let inner = memo.get(name);
        if (inner === undefined) {
          inner = countOf(fragment.selectionSet, new Set([...seen, name]));
          memo.set(name, inner);
        }
        n += inner;
      }
    }
    return n;
  };
  return countOf(set, new Set());
}

function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX' } });
}

/** The problems of an operation over the limits, as errors; none when it is within them. */
export function limitErrors(
  limits: GraphQLLimits,
  args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> | null },
): GraphQLError[] {
  const shape = measureOperation(args.schema, args.document, args.operationName, args.variableValues, limits.maxComplexity);
  if (!shape) return [];
  const problems: string[] = [];
  if (shape.depth > limits.maxDepth) problems.push(`is nested ${shape.depth} levels deep (at most ${limits.maxDepth})`);
  if (shape.rootFields > limits.maxRootFields) problems.push(`selects ${shape.rootFields} root fields (at most ${limits.maxRootFields})`);
  if (shape.aliases > limits.maxAliases) problems.push(`uses ${shape.aliases} aliases (at most ${limits.maxAliases})`);
  if (shape.complexity > limits.maxComplexity) {
    problems.push(
      Number.isFinite(shape.complexity)
        ? `has an estimated cost of ${shape.complexity} (at most ${limits.maxComplexity}; lower \`first\` or select less)`
        : `has an estimated cost over ${limits.maxComplexity} (lower \`first\` or select less)`,
    );
  }
  return problems.map((p) => limitError(`The operation ${p}.`));
}

/**
 * The limits as a yoga plugin: an operation over any of them is refused before it runs. Both
 * hooks: subscriptions (SSE, and graphql-ws through the same envelop) go through subscribe, not
 * execute, and each of their events resolves the whole selection.
 */
export function useOperationLimits(limits: GraphQLLimits): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const errors = limitErrors(limits, args);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const errors = limitErrors(limits, args);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
  };
}

/**
 * Bounds on parsing, which happens before any of the limits above can be measured: at most
 * MAX_TOKENS tokens, and brackets (`{`, `[`, `(`) nested at most MAX_NESTING deep (graphql-js
 * parses recursively, so a deep enough document would overflow the stack). Generous for any real
 * operation: GraphiQL's schema query has about 3,000 tokens and nests 20 deep.
 */
export const MAX_TOKENS = 100_000;
export const MAX_NESTING = 100;

/** How deep brackets nest in a GraphQL document, brackets in strings and comments aside. */
export function nestingOf(source: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '"') {
      if (source.startsWith('"""', i)) {
        const end = source.indexOf('"""', i + 3);
        if (end < 0) return max;
        i = end + 2;
        continue;
      }
      for (i++; i < source.length && source[i] !== '"' && source[i] !== '\n'; i++) if (source[i] === '\\') i++;
    } else if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '{' || c === '[' || c === '(') {
      if (++depth > max) max = depth;
    } else if (c === '}' || c === ']' || c === ')') depth--;
  }
  return max;
}

export function useParserLimits(): Plugin {
  return {
    onParse({ params, setParseFn }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      if (nestingOf(source) > MAX_NESTING) {
        throw new GraphQLError(`The document nests brackets more than ${MAX_NESTING} deep.`, { extensions: { code: 'QUERY_TOO_COMPLEX' } });
      }
      setParseFn((text, options) => parse(text, { ...options, maxTokens: MAX_TOKENS }));
    },
  };
}
