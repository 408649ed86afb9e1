// The alias timeline's data: from a model's alias events (oldest first), one lane per alias with
// the segments during which each version held it. Pure, so the picture and the tests agree.
export interface AliasMove {
  sequence: number;
  action: 'ALIAS_SET' | 'ALIAS_DELETED' | string;
  alias?: string | null;
  version?: number | null;
  previousVersion?: number | null;
  actor?: string | null;
  at: string;
}

export interface Segment {
  alias: string;
  version: number;
  from: number;
  /** Exclusive end; null while it still holds. */
  to: number | null;
  /** Who moved the alias to this version, and the event. */
  actor: string | null;
  sequence: number;
}

export interface Lane {
  alias: string;
  segments: Segment[];
  /** Every move of this alias (sets and removal), oldest first. */
  moves: AliasMove[];
}

export function buildLanes(moves: readonly AliasMove[]): Lane[] {
  const lanes = new Map<string, Lane>();
  for (const move of moves) {
    if (!move.alias) continue;
    let lane = lanes.get(move.alias);
    if (!lane) {
      lane = { alias: move.alias, segments: [], moves: [] };
      lanes.set(move.alias, lane);
    }
    lane.moves.push(move);
    const at = Date.parse(move.at);
    const open = lane.segments[lane.segments.length - 1];
    if (open && open.to === null) open.to = at;
    if (move.action === 'ALIAS_SET' && move.version != null) {
      lane.segments.push({
        alias: move.alias,
        version: move.version,
        from: at,
        to: null,
        actor: move.actor ?? null,
        sequence: move.sequence,
      });
    }
  }
  // Aliases in use first (production before staging by name), removed ones last.
  return [...lanes.values()].sort((a, b) => {
    const aLive = a.segments.at(-1)?.to === null ? 0 : 1;
    const bLive = b.segments.at(-1)?.to === null ? 0 : 1;
    return aLive - bLive || a.alias.localeCompare(b.alias);
  });
}

/** The segment of `lane` holding at `instant`, if any. */
export function segmentAt(lane: Lane, instant: number): Segment | undefined {
  return lane.segments.find((s) => s.from <= instant && (s.to === null || instant < s.to));
}

/** The version the alias held before its current one (for "roll back"), if it is set now. */
export function previousVersion(lane: Lane | undefined): number | undefined {
  if (!lane) return undefined;
  const last = lane.segments.at(-1);
  if (!last || last.to !== null) return undefined;
  for (let i = lane.segments.length - 2; i >= 0; i--) {
    if (lane.segments[i].version !== last.version) return lane.segments[i].version;
  }
  return undefined;
}

/** Strictly increasing instants (equal ones nudged by 1 ms), for a polylinear scale. */
export function increasing(instants: number[]): number[] {
  const out: number[] = [];
  for (const t of instants) out.push(out.length && t <= out[out.length - 1] ? out[out.length - 1] + 1 : t);
  return out;
}
