// The alias timeline's lanes, computed from a model's alias events (src/ui/src/timeline.ts).
import { describe, expect, it } from 'vitest';
import { buildLanes, increasing, previousVersion, segmentAt } from '../../src/ui/src/timeline.ts';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const moves = [
  { sequence: 1, action: 'ALIAS_SET', alias: 'production', version: 1, previousVersion: null, actor: 'bot', at: at(0) },
  { sequence: 2, action: 'ALIAS_SET', alias: 'shadow', version: 2, previousVersion: null, actor: 'alice', at: at(1) },
  { sequence: 3, action: 'ALIAS_SET', alias: 'production', version: 2, previousVersion: 1, actor: 'alice', at: at(2) },
  { sequence: 4, action: 'ALIAS_DELETED', alias: 'shadow', version: null, previousVersion: 2, actor: 'alice', at: at(3) },
  { sequence: 5, action: 'ALIAS_SET', alias: 'production', version: 3, previousVersion: 2, actor: 'bot', at: at(4) },
];

describe('alias timeline lanes', () => {
  it('gives each alias a lane of segments, aliases in use first', () => {
    const lanes = buildLanes(moves);
    expect(lanes.map((l) => l.alias)).toEqual(['production', 'shadow']);
    expect(lanes[0].segments.map((s) => [s.version, s.actor, s.to === null])).toEqual([
      [1, 'bot', false],
      [2, 'alice', false],
      [3, 'bot', true],
    ]);
    expect(lanes[1].segments).toEqual([
      { alias: 'shadow', version: 2, from: Date.parse(at(1)), to: Date.parse(at(3)), actor: 'alice', sequence: 2 },
    ]);
    expect(lanes[1].moves).toHaveLength(2);
  });

  it('answers what held an alias at an instant, the move itself included', () => {
    const [production, shadow] = buildLanes(moves);
    expect(segmentAt(production, Date.parse(at(2)))?.version).toBe(2);
    expect(segmentAt(production, Date.parse(at(2)) - 1)?.version).toBe(1);
    expect(segmentAt(production, Date.parse(at(0)) - 1)).toBeUndefined();
    expect(segmentAt(shadow, Date.parse(at(3)))).toBeUndefined();
  });

  it('rolls back to the version held before the current one; a removed alias has none', () => {
    const [production, shadow] = buildLanes(moves);
    expect(previousVersion(production)).toBe(2);
    expect(previousVersion(shadow)).toBeUndefined();
    expect(previousVersion(buildLanes(moves.slice(0, 1))[0])).toBeUndefined();
  });

  it('nudges equal instants so a polylinear scale stays increasing', () => {
    expect(increasing([5, 5, 5, 9])).toEqual([5, 6, 7, 9]);
  });
});
