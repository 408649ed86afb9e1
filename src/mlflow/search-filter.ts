// MLflow's search parameters for registered-models/search and model-versions/search: the filter
// string, order_by, max_results and page tokens, parsed as MLflow 3.6 parses them
// (mlflow/utils/search_utils.py SearchModelUtils, SearchModelVersionUtils), with its error texts,
// since clients and MLflow's own tests match on those texts.
//
// The filter is read by a lexer and a recursive-descent parser over its tokens. MLflow runs
// sqlparse over the string; what sqlparse accepts and MLflow then rejects is reproduced here by
// the error each case reaches in MLflow, not by sqlparse's token types.

/** A caller mistake in a search parameter: the REST layer answers 400 INVALID_PARAMETER_VALUE. */
export class InvalidSearchError extends Error {
  override readonly name = 'InvalidSearchError';
}

export type SearchEntity = 'model' | 'version';
export type StringComparator = '=' | '!=' | 'LIKE' | 'ILIKE';
export type NumericComparator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Clause =
  | { kind: 'attribute'; key: 'name' | 'run_id' | 'source_path'; comparator: StringComparator; value: string }
  | { kind: 'attribute'; key: 'run_id'; comparator: 'IN'; values: string[] }
  | { kind: 'attribute'; key: 'version_number'; comparator: NumericComparator; value: number }
  | { kind: 'tag'; key: string; comparator: StringComparator; value: string };

export interface SearchFilter {
  entity: SearchEntity;
  clauses: Clause[];
}

// Python's repr of MLflow's sets, in one fixed order (Python's own order varies between runs).
const VALID_KEYS: Record<SearchEntity, readonly string[]> = {
  model: ['name'],
  version: ['name', 'run_id', 'source_path', 'version_number'],
};
const STRING_COMPARATORS: readonly string[] = ['!=', '=', 'LIKE', 'ILIKE'];
const NUMERIC_COMPARATORS: readonly string[] = ['=', '!=', '>', '>=', '<', '<='];
const ENTITY_TYPES = "('attribute', 'tag', 'tags')";

function pySet(values: readonly string[]): string {
  return `{${values.map((v) => `'${v}'`).join(', ')}}`;
}

// --- Lexer -----------------------------------------------------------------------------------

type Token =
  | { type: 'ident'; text: string; start: number }
  | { type: 'string'; text: string; value: string; start: number }
  | { type: 'number'; text: string; start: number }
  | { type: 'op'; text: string; start: number }
  | { type: 'punct'; text: '(' | ')' | ',' | ';'; start: number };

const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_]/;

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      // sqlparse's string: a doubled quote stays inside it, and MLflow strips only the outer quotes.
      i++;
      for (;;) {
        if (i >= input.length) throw new InvalidSearchError(`Invalid clause(s) in filter string: ${input.slice(start)}`);
        if (input[i] === c && input[i + 1] === c) i += 2;
        else if (input[i] === c) break;
        else i++;
      }
      i++;
      tokens.push({ type: 'string', text: input.slice(start, i), value: input.slice(start + 1, i - 1), start });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(input[i + 1] ?? ''))) {
      i++;
      while (i < input.length && /[0-9.]/.test(input[i])) i++;
      tokens.push({ type: 'number', text: input.slice(start, i), start });
    } else if (WORD_START.test(c) || c === '`') {
      // An identifier with its dotted parts, backtick-quoted parts kept whole (they may hold dots).
      for (;;) {
        if (input[i] === '`') {
          const close = input.indexOf('`', i + 1);
          if (close < 0) throw new InvalidSearchError(`Invalid clause(s) in filter string: ${input.slice(start)}`);
          i = close + 1;
        } else {
          while (i < input.length && WORD_PART.test(input[i])) i++;
        }
        if (input[i] === '.' && (input[i + 1] === '`' || WORD_PART.test(input[i + 1] ?? ''))) i++;
        else break;
      }
      tokens.push({ type: 'ident', text: input.slice(start, i), start });
    } else if (input.startsWith('!=', i) || input.startsWith('<=', i) || input.startsWith('>=', i) || input.startsWith('<>', i)) {
      i += 2;
      tokens.push({ type: 'op', text: input.slice(start, i), start });
    } else if (c === '=' || c === '<' || c === '>') {
      i++;
      tokens.push({ type: 'op', text: c, start });
    } else if (c === '(' || c === ')' || c === ',' || c === ';') {
      i++;
      tokens.push({ type: 'punct', text: c, start });
    } else {
      throw new InvalidSearchError(`Invalid clause(s) in filter string: ${input.slice(start)}`);
    }
  }
  return tokens;
}

// --- Parser ----------------------------------------------------------------------------------

const KEYWORDS = new Set(['and', 'or', 'not', 'like', 'ilike', 'in', 'is', 'null', 'true', 'false', 'between', 'exists']);

function isWord(token: Token | undefined, word: string): boolean {
  return token?.type === 'ident' && token.text.toLowerCase() === word;
}

function trimBackticks(text: string): string {
  return text.length >= 2 && text.startsWith('`') && text.endsWith('`') ? text.slice(1, -1) : text;
}

class FilterParser {
  private at = 0;
  constructor(
    private readonly input: string,
    private readonly tokens: Token[],
    private readonly entity: SearchEntity,
  ) {}

  parse(): Clause[] {
    const semicolon = this.tokens.findIndex((t) => t.type === 'punct' && t.text === ';');
    if (semicolon >= 0 && semicolon < this.tokens.length - 1) {
      throw new InvalidSearchError(`Search filter contained multiple expression '${this.input}'. Provide AND-ed expression list.`);
    }
    const end = semicolon >= 0 ? semicolon : this.tokens.length;
    const clauses: Clause[] = [];
    for (;;) {
      clauses.push(this.comparison(end));
      if (this.at >= end) return clauses;
      const joiner = this.tokens[this.at];
      if (!isWord(joiner, 'and')) throw this.invalidClause(joiner);
      this.at++;
      if (this.at >= end) throw this.invalidClause(joiner);
    }
  }

  private invalidClause(from: Token | undefined, to?: Token): InvalidSearchError {
    if (!from) return new InvalidSearchError(`Invalid clause(s) in filter string: ${this.input.trim()}`);
    const text = to ? this.input.slice(from.start, to.start + to.text.length) : from.text;
    return new InvalidSearchError(`Invalid clause(s) in filter string: ${text}`);
  }

  /** `identifier comparator value` */
  private comparison(end: number): Clause {
    const first = this.tokens[this.at];
    const operator = this.tokens[this.at + 1];
    if (first?.type !== 'ident' || KEYWORDS.has(first.text.toLowerCase()) || this.at + 1 >= end) {
      throw this.invalidClause(first, this.tokens[end - 1]);
    }
    let comparator: string;
    if (operator.type === 'op') comparator = operator.text;
    else if (operator.type === 'ident' && ['like', 'ilike', 'in'].includes(operator.text.toLowerCase()))
      comparator = operator.text.toUpperCase();
    else throw this.invalidClause(first, this.tokens[end - 1]);
    this.at += 2;
    if (this.at >= end) throw this.invalidClause(first, operator);
    // sqlparse sees no comparison when the value is a keyword (`evilhax = true`): MLflow rejects
    // the clause before it looks at the key.
    const value = this.tokens[this.at];
    if (value.type === 'ident' && KEYWORDS.has(value.text.toLowerCase())) throw this.invalidClause(first, value);

    const { type, key } = this.identifier(first.text);
    if (type === 'tag') {
      if (!STRING_COMPARATORS.includes(comparator)) {
        throw new InvalidSearchError(`Invalid comparator '${comparator}' not one of '${pySet(STRING_COMPARATORS)}'`);
      }
      return { kind: 'tag', key, comparator: comparator as StringComparator, value: this.stringValue('tag', first, end) };
    }
    if (key === 'version_number') {
      if (!NUMERIC_COMPARATORS.includes(comparator)) {
        throw new InvalidSearchError(`Invalid comparator '${comparator}' not one of '${pySet(NUMERIC_COMPARATORS)}'`);
      }
      const token = this.tokens[this.at++];
      if (token.type !== 'number' || !/^-?\d+$/.test(token.text)) {
        throw new InvalidSearchError(`Expected numeric value type for numeric attribute: ${key}. Found ${token.text}`);
      }
      return { kind: 'attribute', key, comparator: comparator as NumericComparator, value: Number(token.text) };
    }
    if (comparator === 'IN') {
      if (key !== 'run_id') {
        throw new InvalidSearchError(`Invalid comparator 'IN' not one of '${pySet(STRING_COMPARATORS)}'`);
      }
      return { kind: 'attribute', key, comparator, values: this.list(first) };
    }
    if (!STRING_COMPARATORS.includes(comparator)) {
      throw new InvalidSearchError(`Invalid comparator '${comparator}' not one of '${pySet(STRING_COMPARATORS)}'`);
    }
    return {
      kind: 'attribute',
      key: key as 'name' | 'run_id' | 'source_path',
      comparator: comparator as StringComparator,
      value: this.stringValue('attribute', first, end),
    };
  }

  /** `key`, `attribute.key`, `tag.key`, `tags.key`; a key may be in backticks. */
  private identifier(text: string): { type: 'attribute' | 'tag'; key: string } {
    const dot = text.startsWith('`') ? -1 : text.indexOf('.');
    const rawType = dot < 0 ? 'attribute' : text.slice(0, dot);
    const key = trimBackticks(dot < 0 ? text : text.slice(dot + 1));
    if (rawType === 'tag' || rawType === 'tags') return { type: 'tag', key };
    if (rawType !== 'attribute') {
      throw new InvalidSearchError(`Invalid entity type '${rawType}'. Valid entity types are ${ENTITY_TYPES}`);
    }
    const valid = VALID_KEYS[this.entity];
    if (!valid.includes(key)) {
      throw new InvalidSearchError(`Invalid attribute key '${key}' specified. Valid keys are '${pySet(valid)}'`);
    }
    return { type: 'attribute', key };
  }

  private stringValue(type: 'attribute' | 'tag', first: Token, end: number): string {
    const token = this.tokens[this.at++];
    if (token.type === 'string') return token.value;
    if (token.type === 'ident' && !KEYWORDS.has(token.text.toLowerCase())) {
      throw new InvalidSearchError(`Parameter value is either not quoted or unidentified quote types used for string value ${token.text}`);
    }
    if (token.type === 'number') {
      throw new InvalidSearchError(
        type === 'tag'
          ? `Expected a quoted string value for tag (e.g. 'my-value'). Got value ${token.text}`
          : `Expected a quoted string value for attributes. Got value ${token.text}`,
      );
    }
    throw this.invalidClause(first, this.tokens[end - 1]);
  }

  /** `( 'a', 'b' )`: non-empty, strings only, one comma between each two. */
  private list(first: Token): string[] {
    const open = this.tokens[this.at];
    if (open.type !== 'punct' || open.text !== '(') throw this.invalidClause(first, open);
    const close = this.tokens.findIndex((t, i) => i > this.at && t.type === 'punct' && t.text === ')');
    if (close < 0) throw this.invalidClause(first, this.tokens[this.tokens.length - 1]);
    const items = this.tokens.slice(this.at + 1, close);
    this.at = close + 1;
    if (items.length === 0) {
      throw new InvalidSearchError('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
    }
    const odd = items.find((t) => t.type !== 'string' && !(t.type === 'punct' && t.text === ','));
    if (odd) {
      throw new InvalidSearchError(
        `While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ${odd.text}`,
      );
    }
    const wellFormed = items.length % 2 === 1 && items.every((t, i) => (i % 2 === 0 ? t.type === 'string' : t.type === 'punct'));
    if (!wellFormed) {
      throw new InvalidSearchError(
        'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.',
      );
    }
    return items.flatMap((t) => (t.type === 'string' ? [t.value] : []));
  }
}

/** The filter string as clauses; an absent, empty or blank filter has none. */
export function parseSearchFilter(entity: SearchEntity, filter: string | null | undefined): SearchFilter {
  if (filter == null || filter.trim() === '') return { entity, clauses: [] };
  return { entity, clauses: new FilterParser(filter, lex(filter), entity).parse() };
}

// --- Prompts ---------------------------------------------------------------------------------

export const IS_PROMPT_TAG_KEY = 'mlflow.prompt.is_prompt';

/**
 * MLflow's prompt rule (sqlalchemy_store.py _update_query_to_exclude_prompts): prompts are
 * registered models (and versions) tagged mlflow.prompt.is_prompt='true', and a search shows them
 * only when its filter asks for them (`= 'true'` or `!= 'false'` on that tag). Otherwise the
 * prompt-tag predicates are dropped (the client appends `!= 'true'` to every model search, which
 * taken literally would keep only entities that have the tag) and prompts are left out.
 */
export function splitPromptFilter(filter: SearchFilter): { clauses: Clause[]; excludePrompts: boolean } {
  const prompt = filter.clauses.filter((c) => c.kind === 'tag' && c.key === IS_PROMPT_TAG_KEY);
  const asksForPrompts = prompt.some(
    (c) =>
      c.kind === 'tag' &&
      ((c.comparator === '=' && c.value.toLowerCase() === 'true') || (c.comparator === '!=' && c.value.toLowerCase() === 'false')),
  );
  if (asksForPrompts) return { clauses: filter.clauses, excludePrompts: false };
  return { clauses: filter.clauses.filter((c) => !prompt.includes(c)), excludePrompts: true };
}

// --- order_by --------------------------------------------------------------------------------

export type ModelOrderKey = 'name' | 'last_updated_timestamp';
export type VersionOrderKey = 'name' | 'version_number' | 'creation_timestamp' | 'last_updated_timestamp';
export interface OrderTerm<K extends string> {
  key: K;
  ascending: boolean;
}

/** `key [ASC|DESC]`, any whitespace between; the key may be `attribute.key` or in backticks. */
function orderClause(clause: string): { key: string; ascending: boolean } {
  const parts = clause.trim().split(/\s+/);
  const direction = parts[1]?.toUpperCase();
  if (parts[0] === '' || parts.length > 2 || (direction !== undefined && direction !== 'ASC' && direction !== 'DESC')) {
    throw new InvalidSearchError(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  }
  const key = trimBackticks(parts[0].startsWith('attribute.') ? parts[0].slice('attribute.'.length) : parts[0]);
  return { key, ascending: direction !== 'DESC' };
}

function noDuplicates(terms: readonly OrderTerm<string>[]): void {
  const seen = new Set<string>();
  const duplicates = terms.filter((t) => seen.size === seen.add(t.key).size).map((t) => `'${t.key}'`);
  if (duplicates.length > 0) throw new InvalidSearchError(`\`order_by\` contains duplicate fields: [${duplicates.join(', ')}]`);
}

/** Models: `name`, `timestamp` or `last_updated_timestamp` (the same field); `name ASC` breaks ties. */
export function parseModelOrderBy(orderBy: readonly string[] | null | undefined): OrderTerm<ModelOrderKey>[] {
  const terms = (orderBy ?? []).map((clause): OrderTerm<ModelOrderKey> => {
    const { key, ascending } = orderClause(clause);
    if (key === 'name') return { key, ascending };
    if (key === 'timestamp' || key === 'last_updated_timestamp') return { key: 'last_updated_timestamp', ascending };
    throw new InvalidSearchError(`Invalid order by key '${key}' specified.Valid keys are '${pySet(['name', 'timestamp'])}'`);
  });
  noDuplicates(terms);
  if (!terms.some((t) => t.key === 'name')) terms.push({ key: 'name', ascending: true });
  return terms;
}

const VERSION_ORDER_KEYS: readonly VersionOrderKey[] = ['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'];

/** Versions: newest change first by default; `name ASC` and `version_number DESC` break ties. */
export function parseVersionOrderBy(orderBy: readonly string[] | null | undefined): OrderTerm<VersionOrderKey>[] {
  const given = orderBy && orderBy.length > 0 ? orderBy : ['last_updated_timestamp DESC'];
  const terms = given.map((clause): OrderTerm<VersionOrderKey> => {
    const { key, ascending } = orderClause(clause);
    if (!(VERSION_ORDER_KEYS as readonly string[]).includes(key)) {
      throw new InvalidSearchError(`Invalid attribute key '${key}' specified. Valid keys are '${pySet(VERSION_ORDER_KEYS)}'`);
    }
    return { key: key as VersionOrderKey, ascending };
  });
  noDuplicates(terms);
  if (!terms.some((t) => t.key === 'name')) terms.push({ key: 'name', ascending: true });
  if (!terms.some((t) => t.key === 'version_number')) terms.push({ key: 'version_number', ascending: false });
  return terms;
}

// --- max_results -----------------------------------------------------------------------------

export const MODEL_MAX_RESULTS_DEFAULT = 100;
export const MODEL_MAX_RESULTS_THRESHOLD = 1000;
export const VERSION_MAX_RESULTS_DEFAULT = 10_000;
export const VERSION_MAX_RESULTS_THRESHOLD = 200_000;

/** The query parameter as sent (a string), or a number; absent or empty: the entity's default. */
export function parseMaxResults(entity: SearchEntity, raw: string | number | null | undefined): number {
  if (raw == null || raw === '') return entity === 'model' ? MODEL_MAX_RESULTS_DEFAULT : VERSION_MAX_RESULTS_DEFAULT;
  const text = String(raw).trim();
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (entity === 'model') {
    // MLflow's REST handler checks the models' limit before the store does, in its own words.
    if (!Number.isSafeInteger(n) || n > MODEL_MAX_RESULTS_THRESHOLD) {
      throw new InvalidSearchError(`Invalid value ${JSON.stringify(String(raw))} for parameter 'max_results' supplied.`);
    }
    if (n < 1)
      throw new InvalidSearchError(`Invalid value for request parameter max_results. It must be a positive integer, but got ${raw}`);
    return n;
  }
  if (!Number.isSafeInteger(n) || n < 1) {
    if (/^[+-]?\d+$/.test(text) && n > 0) {
      throw new InvalidSearchError(
        `Invalid value for max_results. It must be at most ${VERSION_MAX_RESULTS_THRESHOLD}, but got value ${raw}`,
      );
    }
    throw new InvalidSearchError(`Invalid value for max_results. It must be a positive integer, but got ${raw}`);
  }
  if (n > VERSION_MAX_RESULTS_THRESHOLD) {
    throw new InvalidSearchError(
      `Invalid value for max_results. It must be at most ${VERSION_MAX_RESULTS_THRESHOLD}, but got value ${raw}`,
    );
  }
  return n;
}

// --- Page tokens -----------------------------------------------------------------------------

/**
 * MLflow's token is base64(JSON {"offset": N}). Ours holds the same JSON in URL-safe base64
 * without padding (nothing to escape in a query string); both spellings are read, so tokens of a
 * real MLflow server stay valid for a client moved over.
 */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

/** The offset a token stands for; empty or absent: the first page. */
export function decodePageToken(token: string | null | undefined): number {
  if (token == null || token === '') return 0;
  const body = token.replace(/=+$/, '');
  const bytes = /^[A-Za-z0-9+/_-]*$/.test(body) && body.length % 4 !== 1 ? Buffer.from(body, 'base64') : null;
  let decoded: string | null = null;
  try {
    // Bytes that are no UTF-8 text are what Python's strict base64 rejects in practice ("evilhax").
    decoded = bytes ? new TextDecoder('utf-8', { fatal: true }).decode(bytes) : null;
  } catch {
    decoded = null;
  }
  if (decoded == null) throw new InvalidSearchError('Invalid page token, could not base64-decode');
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    throw new InvalidSearchError(`Invalid page token, decoded value=${decoded}`);
  }
  const offset = parsed !== null && typeof parsed === 'object' ? (parsed as { offset?: unknown }).offset : undefined;
  const n = typeof offset === 'number' || typeof offset === 'string' ? Number(offset) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidSearchError(`Invalid page token, parsed value=${decoded}`);
  return n;
}

// --- The request's parameters together -------------------------------------------------------

/** The search parameters as the REST layer reads them from the query string. */
export interface SearchParams {
  filter?: string | null;
  max_results?: string | number | null;
  /** Repeated parameter: one clause each. */
  order_by?: string | readonly string[] | null;
  page_token?: string | null;
}

function orderList(orderBy: SearchParams['order_by']): readonly string[] {
  if (orderBy == null) return [];
  return typeof orderBy === 'string' ? [orderBy] : orderBy;
}

function parseSearch<K extends string>(entity: SearchEntity, params: SearchParams, order: (o: readonly string[]) => OrderTerm<K>[]) {
  return {
    filter: parseSearchFilter(entity, params.filter),
    maxResults: parseMaxResults(entity, params.max_results),
    orderBy: order(orderList(params.order_by)),
    pageToken: decodePageToken(params.page_token),
  };
}

/** registered-models/search's parameters, checked; throws InvalidSearchError. */
export function parseModelSearch(params: SearchParams) {
  return parseSearch('model', params, parseModelOrderBy);
}

/** model-versions/search's parameters, checked; throws InvalidSearchError. */
export function parseVersionSearch(params: SearchParams) {
  return parseSearch('version', params, parseVersionOrderBy);
}
