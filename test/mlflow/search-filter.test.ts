// MLflow's search parameters: the vectors of mlflow-registry-spec.md §3 and §5 H and I, with
// MLflow's error texts, and the requests the Python client was seen sending.
import { describe, expect, it } from 'vitest';
import {
  InvalidSearchError,
  decodePageToken,
  encodePageToken,
  parseMaxResults,
  parseModelOrderBy,
  parseModelSearch,
  parseSearchFilter,
  parseVersionOrderBy,
  parseVersionSearch,
  splitPromptFilter,
} from '../../src/mlflow/search-filter.ts';

const models = (filter: string) => parseSearchFilter('model', filter).clauses;
const versions = (filter: string) => parseSearchFilter('version', filter).clauses;

function rejects(fn: () => unknown, message: string): void {
  expect(fn).toThrow(InvalidSearchError);
  expect(fn).toThrow(message);
}

describe('filter: valid', () => {
  it('has no clauses when absent, empty or blank', () => {
    expect(parseSearchFilter('model', null)).toEqual({ entity: 'model', clauses: [] });
    expect(parseSearchFilter('version', '')).toEqual({ entity: 'version', clauses: [] });
    expect(models('   ')).toEqual([]);
  });

  it('reads name comparisons, keywords in any case (H02-H06)', () => {
    expect(models("name='test_for_search_RM1'")).toEqual([
      { kind: 'attribute', key: 'name', comparator: '=', value: 'test_for_search_RM1' },
    ]);
    expect(models("name LIKE '_e%'")).toEqual([{ kind: 'attribute', key: 'name', comparator: 'LIKE', value: '_e%' }]);
    for (const f of ["name ILIKE '%RM4a%'", "name ilike '%RM4a%'", "name iLike '%RM4a%'"]) {
      expect(models(f)).toEqual([{ kind: 'attribute', key: 'name', comparator: 'ILIKE', value: '%RM4a%' }]);
    }
    expect(models("name lIkE 'x'")[0]).toMatchObject({ comparator: 'LIKE' });
    expect(models('attribute.name != "x"')).toEqual([{ kind: 'attribute', key: 'name', comparator: '!=', value: 'x' }]);
  });

  it('reads tags, tag. or tags., backtick keys, joined by AND in any case (H10, I18)', () => {
    expect(models("name='n1' and tag.t1='abc'")).toEqual([
      { kind: 'attribute', key: 'name', comparator: '=', value: 'n1' },
      { kind: 'tag', key: 't1', comparator: '=', value: 'abc' },
    ]);
    expect(models("tags.team = 'a' AnD tag.`mlflow.prompt.is_prompt` != 'true'")).toEqual([
      { kind: 'tag', key: 'team', comparator: '=', value: 'a' },
      { kind: 'tag', key: 'mlflow.prompt.is_prompt', comparator: '!=', value: 'true' },
    ]);
    expect(versions("tag.`t2`='xyz'")).toEqual([{ kind: 'tag', key: 't2', comparator: '=', value: 'xyz' }]);
    expect(versions("tags.`key with space`='v'")[0]).toMatchObject({ key: 'key with space' });
    expect(versions("tag.t2 like 'x%' and tag.t2 != 'xyz'")).toHaveLength(2);
    expect(models("tag.T3='XYZ'")[0]).toMatchObject({ key: 'T3', value: 'XYZ' });
    expect(models("tag.1st='a'")[0]).toMatchObject({ key: '1st' });
    expect(models("tags.`a.b`.c='a'")[0]).toMatchObject({ key: '`a.b`.c' });
  });

  it('reads the client’s own filters (python-client-ops.jsonl)', () => {
    expect(models("name LIKE 'ir%' AND tags.team = 'a' AND tag.`mlflow.prompt.is_prompt` != 'true'")).toHaveLength(3);
    expect(versions("name='iris' AND version_number > 1")).toEqual([
      { kind: 'attribute', key: 'name', comparator: '=', value: 'iris' },
      { kind: 'attribute', key: 'version_number', comparator: '>', value: 1 },
    ]);
  });

  it('reads version attributes: version_number, run_id with IN, source_path (I01-I04, I09, I10)', () => {
    expect(versions('version_number<=3')).toEqual([{ kind: 'attribute', key: 'version_number', comparator: '<=', value: 3 }]);
    for (const op of ['=', '!=', '<', '<=', '>', '>=']) expect(versions(`version_number ${op} 2`)[0]).toMatchObject({ comparator: op });
    expect(versions("run_id IN ('r1','r2')")).toEqual([{ kind: 'attribute', key: 'run_id', comparator: 'IN', values: ['r1', 'r2'] }]);
    expect(versions("run_id in ('r1', 'r2')")[0]).toMatchObject({ values: ['r1', 'r2'] });
    expect(versions("version_number=2 AND run_id IN ('R1','r2')")).toHaveLength(2);
    expect(versions("run_id ILIKE 'R2%'")[0]).toMatchObject({ key: 'run_id', comparator: 'ILIKE' });
    expect(versions("source_path = 'A/D'")).toEqual([{ kind: 'attribute', key: 'source_path', comparator: '=', value: 'A/D' }]);
    expect(versions("source_path = ''")[0]).toMatchObject({ value: '' });
  });

  it('keeps a string’s text between its outer quotes, as MLflow does', () => {
    expect(models('name = \'a "b" c\'')[0]).toMatchObject({ value: 'a "b" c' });
    expect(models("name = 'it''s'")[0]).toMatchObject({ value: "it''s" });
    expect(models("name = 'x AND y'")).toHaveLength(1);
  });
});

describe('filter: MLflow’s errors', () => {
  it('rejects OR and other joiners (§3.1)', () => {
    rejects(() => models("name = 'a' OR name = 'b'"), 'Invalid clause(s) in filter string: OR');
    rejects(() => models("(name = 'a')"), 'Invalid clause(s) in filter string');
    rejects(() => models("name = 'a' AND"), 'Invalid clause(s) in filter string');
  });

  it('rejects unquoted strings and keywords as values (H07, H08)', () => {
    rejects(
      () => models('name!=something'),
      'Parameter value is either not quoted or unidentified quote types used for string value something',
    );
    rejects(() => models('evilhax = true'), 'Invalid clause(s) in filter string');
  });

  it('rejects unknown attributes, naming the valid ones (H08, notes §1.4)', () => {
    rejects(() => models("run_id='x'"), "Invalid attribute key 'run_id' specified.");
    rejects(() => models("source_path = 'A/D'"), "Invalid attribute key 'source_path' specified.");
    rejects(() => models("name = 'x' AND description = 'y'"), "Invalid attribute key 'description' specified. Valid keys are '{'name'}'");
    rejects(() => versions('creation_timestamp > 1'), "Invalid attribute key 'creation_timestamp' specified. Valid keys are '{");
    rejects(() => versions('last_updated_timestamp > 1'), "Invalid attribute key 'last_updated_timestamp' specified.");
  });

  it('rejects unknown entity types', () => {
    rejects(() => models("param.x = 'y'"), "Invalid entity type 'param'. Valid entity types are ('attribute', 'tag', 'tags')");
  });

  it('rejects comparators the key does not take', () => {
    rejects(() => models("name > 'a'"), "Invalid comparator '>' not one of");
    rejects(() => models("name <> 'a'"), "Invalid comparator '<>' not one of");
    rejects(() => versions('version_number <> 1'), "Invalid comparator '<>' not one of");
    rejects(() => models("tag.t IN ('a')"), "Invalid comparator 'IN' not one of");
    rejects(() => versions("name IN ('a')"), "Invalid comparator 'IN' not one of");
    rejects(() => versions('version_number LIKE 2'), "Invalid comparator 'LIKE' not one of");
    rejects(() => versions("version_number = '2'"), "Expected numeric value type for numeric attribute: version_number. Found '2'");
    rejects(() => models('name = 2'), 'Expected a quoted string value for attributes. Got value 2');
    rejects(() => models('tag.t = 2'), "Expected a quoted string value for tag (e.g. 'my-value'). Got value 2");
  });

  it('rejects malformed IN lists (I05-I08)', () => {
    rejects(
      () => versions('run_id IN (1,2,3)'),
      'While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list',
    );
    rejects(
      () => versions('run_id IN ()'),
      'While parsing a list in the query, expected a non-empty list of string values, but got empty list',
    );
    for (const f of ['run_id IN (', 'run_id IN', 'name LIKE']) rejects(() => versions(f), 'Invalid clause(s) in filter string');
    for (const f of ['run_id IN (,)', "run_id IN ('runid1',,'runid2')", "run_id IN ('a' 'b')"]) {
      rejects(() => versions(f), 'but got ill-formed list');
    }
  });

  it('rejects several statements', () => {
    rejects(() => models("name = 'a'; name = 'b'"), 'Search filter contained multiple expression');
    expect(models("name = 'a';")).toHaveLength(1);
  });

  it('rejects unterminated strings and stray characters', () => {
    rejects(() => models("name = 'a"), 'Invalid clause(s) in filter string');
    rejects(() => models("name = 'a' & tag.x = 'b'"), 'Invalid clause(s) in filter string');
  });
});

describe('prompts', () => {
  const split = (f: string) => splitPromptFilter(parseSearchFilter('model', f));

  it('drops the client’s `!= true` and excludes prompts (notes §1.5)', () => {
    expect(split("name LIKE 'ir%' AND tag.`mlflow.prompt.is_prompt` != 'true'")).toEqual({
      clauses: [{ kind: 'attribute', key: 'name', comparator: 'LIKE', value: 'ir%' }],
      excludePrompts: true,
    });
    expect(split("tags.`mlflow.prompt.is_prompt` = 'false'")).toEqual({ clauses: [], excludePrompts: true });
    expect(split('')).toEqual({ clauses: [], excludePrompts: true });
  });

  it('keeps the predicate and the prompts when the filter asks for prompts (H22)', () => {
    for (const f of ["tags.`mlflow.prompt.is_prompt` = 'true'", "tag.`mlflow.prompt.is_prompt` != 'false'"]) {
      expect(split(f)).toMatchObject({ excludePrompts: false, clauses: [{ key: 'mlflow.prompt.is_prompt' }] });
    }
  });
});

describe('order_by', () => {
  it('models: name or timestamp, name ASC as tiebreaker (H15-H18)', () => {
    expect(parseModelOrderBy([])).toEqual([{ key: 'name', ascending: true }]);
    expect(parseModelOrderBy(['name DESC'])).toEqual([{ key: 'name', ascending: false }]);
    for (const o of [
      'timestamp',
      'last_updated_timestamp',
      'timestamp\tASC',
      'timestamp\r\rASC',
      'timestamp\nASC',
      'timestamp  asc',
      'timestamp  aSC',
    ]) {
      expect(parseModelOrderBy([o])).toEqual([
        { key: 'last_updated_timestamp', ascending: true },
        { key: 'name', ascending: true },
      ]);
    }
    expect(parseModelOrderBy(['timestamp  deSc', 'name deSc'])).toEqual([
      { key: 'last_updated_timestamp', ascending: false },
      { key: 'name', ascending: false },
    ]);
    expect(parseModelOrderBy(['name DESC', 'last_updated_timestamp'])).toHaveLength(2);
  });

  it('models: MLflow’s errors (H19-H21)', () => {
    rejects(
      () => parseModelOrderBy(['name ASC', 'creation_timestamp DESC']),
      "Invalid order by key 'creation_timestamp' specified.Valid keys are '{'name', 'timestamp'}'",
    );
    rejects(
      () => parseModelOrderBy(['name ASC', 'last_updated_timestamp DESC blah']),
      "Invalid order_by clause 'last_updated_timestamp DESC blah'. Could not be parsed.",
    );
    rejects(() => parseModelOrderBy(['name sideways']), "Invalid order_by clause 'name sideways'");
    for (const o of [
      ['timestamp', 'last_updated_timestamp'],
      ['name', 'name DESC'],
      ['timestamp DESC', 'timestamp'],
    ]) {
      rejects(() => parseModelOrderBy(o), '`order_by` contains duplicate fields:');
    }
  });

  it('versions: default, tiebreakers name ASC and version_number DESC (I13, I14)', () => {
    expect(parseVersionOrderBy(null)).toEqual([
      { key: 'last_updated_timestamp', ascending: false },
      { key: 'name', ascending: true },
      { key: 'version_number', ascending: false },
    ]);
    expect(parseVersionOrderBy(['version_number ASC'])).toEqual([
      { key: 'version_number', ascending: true },
      { key: 'name', ascending: true },
    ]);
    expect(parseVersionOrderBy(['creation_timestamp DESC']).map((t) => t.key)).toEqual(['creation_timestamp', 'name', 'version_number']);
  });

  it('versions: MLflow’s errors (I15, I16)', () => {
    rejects(() => parseVersionOrderBy(['name ASC', 'run_id DESC']), "Invalid attribute key 'run_id' specified");
    rejects(
      () => parseVersionOrderBy(['name ASC', 'last_updated_timestamp DESC blah']),
      "Invalid order_by clause 'last_updated_timestamp DESC blah'",
    );
    rejects(() => parseVersionOrderBy(['name', 'name']), '`order_by` contains duplicate fields:');
  });
});

describe('max_results', () => {
  it('models: default 100, at most 1000 (H09, H14, notes §1.4)', () => {
    expect(parseMaxResults('model', undefined)).toBe(100);
    expect(parseMaxResults('model', '')).toBe(100);
    expect(parseMaxResults('model', '1000')).toBe(1000);
    rejects(() => parseMaxResults('model', '1001'), `Invalid value "1001" for parameter 'max_results' supplied`);
    rejects(() => parseMaxResults('model', 1e15), "for parameter 'max_results' supplied");
    rejects(() => parseMaxResults('model', 'ten'), "for parameter 'max_results' supplied");
    rejects(() => parseMaxResults('model', '0'), 'Invalid value for request parameter max_results. It must be a positive integer');
  });

  it('versions: default 10000, at most 200000 (I17)', () => {
    expect(parseMaxResults('version', null)).toBe(10_000);
    expect(parseMaxResults('version', '200000')).toBe(200_000);
    rejects(() => parseMaxResults('version', '200001'), 'Invalid value for max_results. It must be at most 200000');
    rejects(() => parseMaxResults('version', 1e15), 'Invalid value for max_results.');
    rejects(() => parseMaxResults('version', '0'), 'Invalid value for max_results. It must be a positive integer, but got 0');
    rejects(() => parseMaxResults('version', 'x'), 'Invalid value for max_results. It must be a positive integer');
  });
});

describe('page tokens', () => {
  it('round-trip, URL-safe; empty is the first page', () => {
    for (const offset of [1, 5, 62, 1000, 123_456_789]) {
      const token = encodePageToken(offset);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodePageToken(token)).toBe(offset);
    }
    expect(decodePageToken('')).toBe(0);
    expect(decodePageToken(null)).toBe(0);
  });

  it('reads MLflow’s own tokens (python-client-ops.jsonl)', () => {
    expect(decodePageToken('eyJvZmZzZXQiOiAxfQ==')).toBe(1);
  });

  it('rejects bad tokens with MLflow’s texts (H13, I17)', () => {
    rejects(() => decodePageToken('evilhax'), 'Invalid page token, could not base64-decode');
    rejects(() => decodePageToken('a'), 'Invalid page token, could not base64-decode');
    rejects(() => decodePageToken('!!!!'), 'Invalid page token, could not base64-decode');
    rejects(() => decodePageToken(Buffer.from('not json').toString('base64')), 'Invalid page token, decoded value=not json');
    rejects(() => decodePageToken(Buffer.from('{"offset": "x"}').toString('base64')), 'Invalid page token, parsed value=');
    rejects(() => decodePageToken(Buffer.from('{"page": 2}').toString('base64')), 'Invalid page token, parsed value=');
  });
});

describe('the parameters together', () => {
  it('take the query string’s values, order_by once or repeated', () => {
    expect(parseModelSearch({ filter: "name LIKE 'ir%'", max_results: '1', order_by: ['name DESC', 'last_updated_timestamp'] })).toEqual({
      filter: { entity: 'model', clauses: [{ kind: 'attribute', key: 'name', comparator: 'LIKE', value: 'ir%' }] },
      maxResults: 1,
      orderBy: [
        { key: 'name', ascending: false },
        { key: 'last_updated_timestamp', ascending: true },
      ],
      pageToken: 0,
    });
    expect(parseVersionSearch({ max_results: '2', order_by: 'version_number ASC', page_token: 'eyJvZmZzZXQiOiAxfQ==' })).toMatchObject({
      maxResults: 2,
      orderBy: [{ key: 'version_number' }, { key: 'name' }],
      pageToken: 1,
    });
  });
});
