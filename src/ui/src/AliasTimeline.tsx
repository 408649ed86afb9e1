// The alias timeline: one lane per alias, a bar per version that held it, a tick at every move, and
// a time cursor whose answer ("what held production at this instant") comes from the server's
// versionByAlias(at:), one batched request for every lane. Drawn as SVG with d3-scale doing only
// the arithmetic (time -> x, version -> colour); React owns the DOM, so there is no second renderer.
// "Even spacing" gives every move the same width, which keeps hundreds of moves made in bursts readable.
import { scaleLinear, scaleOrdinal, scaleTime } from 'd3-scale';
import { useEffect, useMemo, useRef, useState } from 'react';
import { formatInstant } from './format.ts';
import { graphql } from './graphql.ts';
import { useDebounced, useQuery } from './hooks.ts';
import { type AliasMove, type Lane, buildLanes, increasing, segmentAt } from './timeline.ts';
import { Field } from './widgets.tsx';

const PALETTE = ['#1f5fa8', '#b3461b', '#2b7a3d', '#7a3e9d', '#8a6d00', '#0f7c80', '#a3334f', '#4d5b6a', '#5a6f00', '#6b4a2b'];
const LANE_HEIGHT = 30;
const LABEL_WIDTH = 120;
const AXIS_HEIGHT = 26;

const AliasAtQuery = graphql(`
  query AliasAt($name: String!, $alias: String!, $at: DateTime) {
    registeredModel(name: $name) {
      id
      versionByAlias(alias: $alias, at: $at) { version }
    }
  }
`);

function useWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(900);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(300, Math.floor(entry.contentRect.width))));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export function AliasTimeline({ modelName, createdAt, moves }: { modelName: string; createdAt: string; moves: AliasMove[] }) {
  const lanes = useMemo(() => buildLanes(moves), [moves]);
  const [containerRef, width] = useWidth();
  const [now] = useState(() => Date.now());
  const end = Math.max(now, ...moves.map((m) => Date.parse(m.at) + 1));
  const start = Math.min(Date.parse(createdAt), ...moves.map((m) => Date.parse(m.at)));
  const plotWidth = width - LABEL_WIDTH - 16;
  // Moves made in bursts would be hairlines on a time axis: start with even spacing then.
  const [even, setEven] = useState(() => crowded(moves, start, end, plotWidth));

  const x = useMemo(() => {
    if (!even || moves.length === 0) return scaleTime<number>().domain([start, end]).range([0, plotWidth]).clamp(true);
    const instants = increasing([start, ...moves.map((m) => Date.parse(m.at)), end]);
    const step = plotWidth / (instants.length - 1);
    return scaleLinear()
      .domain(instants)
      .range(instants.map((_, i) => i * step))
      .clamp(true);
  }, [even, moves, start, end, plotWidth]);
  // Colours follow version order, so the same version keeps its colour in every lane and the legend.
  const color = useMemo(() => scaleOrdinal<number, string>().domain(versionsShown(lanes)).range(PALETTE), [lanes]);

  // The cursor: null means now.
  const [cursor, setCursor] = useState<number | null>(null);
  const instant = cursor ?? end - 1;
  const settled = useDebounced(cursor, 150);
  const moveInstants = useMemo(() => [...new Set(moves.map((m) => Date.parse(m.at)))].sort((a, b) => a - b), [moves]);

  const height = AXIS_HEIGHT + lanes.length * LANE_HEIGHT + 8;
  const ticks = even
    ? evenTicks(moveInstants, 6)
    : (x as ReturnType<typeof scaleTime<number>>).ticks(Math.max(2, Math.floor(plotWidth / 140)));

  const pick = (clientX: number, svg: SVGSVGElement) => {
    const left = svg.getBoundingClientRect().left + LABEL_WIDTH;
    const value = x.invert(Math.min(plotWidth, Math.max(0, clientX - left)));
    setCursor(Math.round(value instanceof Date ? value.getTime() : value));
  };
  const stepMove = (direction: 1 | -1) => {
    const here = instant;
    const target = direction > 0 ? moveInstants.find((t) => t > here) : [...moveInstants].reverse().find((t) => t < here);
    if (target !== undefined) setCursor(target);
    else if (direction > 0) setCursor(null);
  };

  if (lanes.length === 0) return <p className="muted">No alias has been set on this model yet.</p>;
  return (
    <div className="timeline" ref={containerRef}>
      <div className="timeline-controls">
        <label className="inline">
          <input type="checkbox" checked={even} onChange={(e) => setEven(e.target.checked)} /> Even spacing (every move the same width)
        </label>
        <span className="muted small">
          {moves.length} move{moves.length === 1 ? '' : 's'} of {lanes.length} alias{lanes.length === 1 ? '' : 'es'}
        </span>
      </div>
      <svg
        width={width}
        height={height}
        role="img"
        aria-labelledby="timeline-title"
        data-testid="alias-timeline"
        onClick={(e) => pick(e.clientX, e.currentTarget)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
            e.preventDefault();
            stepMove(e.key === 'ArrowLeft' ? -1 : 1);
          } else if (e.key === 'End') setCursor(null);
        }}
      >
        <title id="timeline-title">{`Alias timeline of ${modelName}: ${lanes.map((l) => l.alias).join(', ')}`}</title>
        <g transform={`translate(${LABEL_WIDTH},0)`} className="axis">
          {ticks.map((t) => (
            <g key={+t} transform={`translate(${x(+t)},0)`}>
              <line y1={AXIS_HEIGHT - 6} y2={height} />
              <text y={AXIS_HEIGHT - 10} textAnchor={x(+t) < 40 ? 'start' : x(+t) > plotWidth - 40 ? 'end' : 'middle'}>
                {tickLabel(+t, start, end)}
              </text>
            </g>
          ))}
        </g>
        {lanes.map((lane, i) => (
          <LaneRow key={lane.alias} lane={lane} y={AXIS_HEIGHT + i * LANE_HEIGHT} x={(t) => x(t)} end={end} color={color} />
        ))}
        <line
          className="cursor"
          x1={LABEL_WIDTH + x(instant)}
          x2={LABEL_WIDTH + x(instant)}
          y1={AXIS_HEIGHT - 6}
          y2={height}
          data-testid="timeline-cursor"
        />
      </svg>
      <ul className="legend" aria-label="Versions by colour">
        {versionsShown(lanes).map((v) => (
          <li key={v}>
            <span className="swatch" style={{ background: color(v) }} aria-hidden="true" />v{v}
          </li>
        ))}
      </ul>
      <div className="cursor-controls">
        <Field label="Time cursor">
          {(field) => (
            <input
              {...field}
              type="range"
              min={0}
              max={1000}
              value={Math.round((x(instant) / plotWidth) * 1000)}
              aria-valuetext={cursor === null ? 'now' : formatInstant(new Date(instant).toISOString(), true)}
              onChange={(e) => {
                const value = x.invert((Number(e.target.value) / 1000) * plotWidth);
                const t = Math.round(value instanceof Date ? value.getTime() : value);
                setCursor(t >= end - 1 ? null : t);
              }}
            />
          )}
        </Field>
        <button type="button" onClick={() => stepMove(-1)}>
          Previous move
        </button>
        <button type="button" onClick={() => stepMove(1)}>
          Next move
        </button>
        <button type="button" onClick={() => setCursor(null)} disabled={cursor === null}>
          Now
        </button>
      </div>
      <CursorReadout modelName={modelName} lanes={lanes} instant={settled} localInstant={instant} />
      <details className="moves">
        <summary>Every move ({moves.length})</summary>
        <ol>
          {[...moves].reverse().map((m) => (
            <li key={m.sequence}>
              <button type="button" className="link" onClick={() => setCursor(Date.parse(m.at))}>
                {formatInstant(m.at, true)}
              </button>{' '}
              {m.action === 'ALIAS_SET'
                ? `${m.alias}: ${m.previousVersion == null ? 'new' : `v${m.previousVersion}`} -> v${m.version}`
                : `${m.alias} removed`}{' '}
              by {m.actor ?? 'anonymous'}
            </li>
          ))}
        </ol>
      </details>
    </div>
  );
}

function LaneRow({
  lane,
  y,
  x,
  end,
  color,
}: {
  lane: Lane;
  y: number;
  x: (t: number) => number;
  end: number;
  color: (version: number) => string;
}) {
  return (
    <g transform={`translate(0,${y})`} data-alias={lane.alias} className="lane">
      <text x={LABEL_WIDTH - 8} y={LANE_HEIGHT / 2 + 4} textAnchor="end" className="lane-label">
        {lane.alias}
      </text>
      <g transform={`translate(${LABEL_WIDTH},0)`}>
        {lane.segments.map((s) => {
          const x0 = x(s.from);
          const w = Math.max(1, x(s.to ?? end) - x0);
          return (
            <g key={s.sequence}>
              <rect x={x0} y={4} width={w} height={LANE_HEIGHT - 8} fill={color(s.version)} rx={2} data-version={s.version}>
                <title>{`${lane.alias}: v${s.version} from ${formatInstant(new Date(s.from).toISOString(), true)}${
                  s.to === null ? ' (holds now)' : ` to ${formatInstant(new Date(s.to).toISOString(), true)}`
                }, set by ${s.actor ?? 'anonymous'}`}</title>
              </rect>
              {w > 28 ? (
                <text x={x0 + 4} y={LANE_HEIGHT / 2 + 4} className="segment-label">
                  v{s.version}
                </text>
              ) : null}
            </g>
          );
        })}
        {lane.moves.map((m) => (
          <line key={m.sequence} className="move" x1={x(Date.parse(m.at))} x2={x(Date.parse(m.at))} y1={1} y2={LANE_HEIGHT - 1} />
        ))}
      </g>
    </g>
  );
}

function CursorReadout({
  modelName,
  lanes,
  instant,
  localInstant,
}: {
  modelName: string;
  lanes: Lane[];
  instant: number | null;
  localInstant: number;
}) {
  return (
    <div className="readout" aria-live="polite" data-testid="cursor-readout">
      <p>
        At <strong>{instant === null ? 'now' : formatInstant(new Date(instant).toISOString(), true)}</strong>:
      </p>
      <ul>
        {lanes.slice(0, 10).map((lane) => (
          <LaneAnswer key={lane.alias} modelName={modelName} lane={lane} instant={instant} localInstant={localInstant} />
        ))}
      </ul>
    </div>
  );
}

function LaneAnswer({
  modelName,
  lane,
  instant,
  localInstant,
}: {
  modelName: string;
  lane: Lane;
  instant: number | null;
  localInstant: number;
}) {
  const { data, loading } = useQuery(AliasAtQuery, {
    name: modelName,
    alias: lane.alias,
    at: instant === null ? null : new Date(instant).toISOString(),
  });
  const held = data?.registeredModel?.versionByAlias?.version;
  const local = segmentAt(lane, localInstant);
  return (
    <li data-alias={lane.alias}>
      <strong>{lane.alias}</strong> {loading && !data ? '...' : held == null ? 'was not set' : `held v${held}`}
      {local && held === local.version ? (
        <span className="muted">
          {' '}
          (set by {local.actor ?? 'anonymous'} at {formatInstant(new Date(local.from).toISOString(), true)})
        </span>
      ) : null}
    </li>
  );
}

function versionsShown(lanes: Lane[]): number[] {
  return [...new Set(lanes.flatMap((l) => l.segments.map((s) => s.version)))].sort((a, b) => a - b);
}

/** Whether more than a quarter of the moves would be under 3 px from the next on a time axis. */
function crowded(moves: AliasMove[], start: number, end: number, width: number): boolean {
  if (moves.length < 20) return false;
  const perMs = width / Math.max(1, end - start);
  const instants = moves.map((m) => Date.parse(m.at)).sort((a, b) => a - b);
  let close = 0;
  for (let i = 1; i < instants.length; i++) if ((instants[i] - instants[i - 1]) * perMs < 3) close++;
  return close > moves.length / 4;
}

function evenTicks(instants: number[], count: number): number[] {
  if (instants.length <= count) return instants;
  const step = (instants.length - 1) / (count - 1);
  return Array.from({ length: count }, (_, i) => instants[Math.round(i * step)]);
}

function tickLabel(t: number, start: number, end: number): string {
  const iso = new Date(t).toISOString();
  const span = end - start;
  if (span < 60_000) return iso.slice(11, 23);
  if (span < 2 * 86_400_000) return iso.slice(11, 16);
  return iso.slice(0, 10);
}
