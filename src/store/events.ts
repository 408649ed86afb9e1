// History: listings across models, pages of many models at once, and the live feed's reads. The
// listings and the feed share one filter, so a subscription and a history query asking the same
// thing see the same events.
import { type AuditAction, AuditAction as AuditActionValues, type AuditEvent, Prisma } from '../generated/prisma/client.ts';
import { namePatternsSql } from '../registry/rules/name-patterns.ts';
import type { Page, SortKey } from '../registry/rules/paging.ts';
import { checkEnumList } from '../registry/rules/validation.ts';
import { EVENT_COLUMNS_SQL, eventRows } from './columns.ts';
import { type Scope, storable } from './filters.ts';
import { keysetPage, keysetPagesOfModels, keysetSql } from './keyset.ts';
import type { EventDetails } from '../registry/history/events.ts';
import { type Reader, type Tx, named, queryRows } from './sql.ts';

export const EVENT_SORT: SortKey<'sequence'> = [{ field: 'sequence', direction: 'desc' }];
const EVENT_SORT_COLUMNS = { sequence: Prisma.sql`e.sequence` };

/** Actions to filter on, each once; a list longer than the enum is refused (ValidationError). */
export function checkAuditActions(actions: readonly AuditAction[] | null | undefined, field = 'actions'): AuditAction[] | null | undefined {
  return checkEnumList(actions, Object.values(AuditActionValues), field);
}

/** What the history listings and the live feed can filter on; every condition must hold. */
interface EventConditions {
  /** Events of every model that ever bore this name (across renames, and after deletion). */
  modelName?: string | null;
  alias?: string | null;
  /** Events of any of these aliases. */
  aliases?: readonly string[] | null;
  actions?: readonly AuditAction[] | null;
  actor?: string | null;
  /** At or after. */
  since?: Date | null;
  /** Strictly before. */
  until?: Date | null;
  /** Only events recorded under a model name in scope. */
  scope?: Scope;
}

/**
 * The events that match, as SQL over `audit_event e`; null: none can. Each condition is one that
 * an index on (column, sequence) answers in sequence order (F20).
 */
function eventFilterSql(filter: EventConditions): Prisma.Sql | null {
  if (!storable(filter.modelName, filter.alias, filter.actor)) return null;
  const parts = [Prisma.sql`TRUE`];
  if (filter.modelName != null) {
    // Renames are recorded under the new name, so events under a name find every model that bore it.
    parts.push(Prisma.sql`e.model_id IN (SELECT n.model_id FROM audit_event n WHERE n.model_name = ${filter.modelName})`);
  }
  if (filter.alias != null) parts.push(Prisma.sql`e.alias = ${filter.alias}`);
  if (filter.aliases != null) parts.push(Prisma.sql`e.alias = ANY(${filter.aliases.filter((a) => storable(a))}::text[])`);
  if (filter.actions != null) {
    // One parameter per action, each cast, rather than an array: the planner estimates each value
    // and picks the (action, sequence) index for rare ones, and PGlite cannot send enum arrays.
    const actions = filter.actions.map((a) => Prisma.sql`${a}::"AuditAction"`);
    parts.push(actions.length === 0 ? Prisma.sql`FALSE` : Prisma.sql`e.action IN (${Prisma.join(actions)})`);
  }
  if (filter.actor != null) parts.push(Prisma.sql`e.actor = ${filter.actor}`);
  if (filter.since != null) parts.push(Prisma.sql`e.at >= ${filter.since.toISOString()}::timestamptz`);
  if (filter.until != null) parts.push(Prisma.sql`e.at < ${filter.until.toISOString()}::timestamptz`);
  if (filter.scope) parts.push(namePatternsSql(filter.scope, Prisma.sql`e.model_name`));
  return Prisma.join(parts, ' AND ');
}

export type EventFilter = Omit<EventConditions, 'aliases'>;

/** Recorded changes, newest first. */
export async function listEvents(
  db: Reader,
  args: { first: number; after?: string | null; filter: EventFilter },
): Promise<Page<AuditEvent>> {
  const actions = checkAuditActions(args.filter.actions, 'filter.actions');
  const where = eventFilterSql({ ...args.filter, actions });
  if (!where) return { rows: [], hasNextPage: false };
  const sorted = keysetSql(EVENT_SORT, args.after, EVENT_SORT_COLUMNS);
  return keysetPage(db, 'listEvents', Prisma.sql`${EVENT_COLUMNS_SQL} FROM audit_event e`, where, sorted, args.first, eventRows);
}

export interface ModelHistoryArgs {
  first: number;
  after?: string | null;
  alias?: string | null;
  actions?: readonly AuditAction[] | null;
  /** Only events recorded under a model name in scope. */
  scope?: Scope;
}

/** One page of history for each of many models, in one statement (newest first, through (model_id, sequence)). */
export async function listEventsOfModels(
  db: Reader,
  modelIds: readonly number[],
  args: ModelHistoryArgs,
): Promise<Map<number, Page<AuditEvent>>> {
  const where = eventFilterSql({ alias: args.alias, actions: checkAuditActions(args.actions), scope: args.scope });
  if (!where) return new Map(modelIds.map((id) => [id, { rows: [], hasNextPage: false }]));
  const sorted = keysetSql(EVENT_SORT, args.after, EVENT_SORT_COLUMNS);
  const from = { columns: EVENT_COLUMNS_SQL, table: Prisma.sql`audit_event`, alias: Prisma.sql`e` };
  return keysetPagesOfModels(db, 'listEventsOfModels', from, modelIds, where, sorted, args.first, eventRows);
}

/** What a subscription or a webhook asks for. */
export interface RegistryEventFilter {
  /** Events of every model that ever bore this name (across renames and deletions), like history filters. */
  modelName?: string | null;
  aliases?: readonly string[] | null;
  actions?: readonly AuditAction[] | null;
  /**
   * Only events recorded under a model name matching one of these (a token's scope; null: all).
   * Filtered in SQL, so a replay of a history the subscriber cannot see reads nothing (F26).
   */
  scope?: Scope;
}

/** Events with after < sequence <= upTo that match, oldest first, at most `limit` (the live feed's reads). */
export async function readEvents(
  db: Reader,
  filter: RegistryEventFilter,
  after: number,
  upTo: number,
  limit: number,
): Promise<AuditEvent[]> {
  const where = eventFilterSql(filter);
  if (!where) return [];
  return eventRows(
    await queryRows<AuditEvent>(
      db,
      Prisma.sql`/* readEvents */
    SELECT ${EVENT_COLUMNS_SQL}
    FROM audit_event e
    WHERE e.sequence > ${after} AND e.sequence <= ${upTo} AND ${where}
    ORDER BY e.sequence
    LIMIT ${limit}`,
    ),
  );
}

/** Who recorded a write's events, and when (the database clock read after the model's lock). */
export interface EventStamp {
  readonly actor: string | null;
  readonly now: Date;
}

export type RecordedEvent = { action: AuditAction } & EventDetails;

/**
 * The INSERT of a write's events: the one statement that lists audit_event's columns for writes,
 * sent alone (insertEvents) or as the last part of a larger statement (the alias move's CTE).
 */
export function eventInsertSql(stamp: EventStamp, model: { id: number; name: string }, events: readonly RecordedEvent[]): Prisma.Sql {
  const at = stamp.now.toISOString();
  const rows = events.map(
    (e) => Prisma.sql`(${at}::timestamptz, ${stamp.actor}, ${e.action}::"AuditAction", ${model.id}, ${model.name},
      ${e.version}::int, ${e.previousVersion}::int, ${e.alias}, ${e.key}, ${e.previousValue}, ${e.newValue})`,
  );
  return Prisma.sql`INSERT INTO audit_event
      (at, actor, action, model_id, model_name, version, previous_version, alias, key, previous_value, new_value)
    VALUES ${Prisma.join(rows)}`;
}

export async function insertEvents(
  tx: Tx,
  stamp: EventStamp,
  model: { id: number; name: string },
  events: readonly RecordedEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await tx.$executeRaw(named('insertEvents', eventInsertSql(stamp, model, events)));
}

/** The last event's sequence (0: none yet): where a new webhook starts. */
export async function lastEventSequence(tx: Tx): Promise<number> {
  const head = await tx.auditEvent.aggregate({ _max: { sequence: true } });
  return head._max.sequence ?? 0;
}
