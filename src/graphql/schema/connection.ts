// Cursor connections (edges, nodes, pageInfo, totalCount) and the page arguments they share.
// Hand-written rather than @pothos/plugin-relay: cursors and totalCount are computed only when a
// client selects them, and the schema has no `last`/`before` (more in builder.ts's header).
import { GraphQLError } from 'graphql';
import { InvalidCursorError, type Page } from '../../registry/rules/paging.ts';
import { pageSize } from '../../registry/rules/validation.ts';
import { builder } from '../builder.ts';

export interface ConnectionShape<T> {
  page: Page<T>;
  cursorOf: (row: T) => string;
  /** Whether rows come before this page (an `after` cursor was given). */
  afterGiven: boolean;
  /** Counted only when a client asks for totalCount. */
  totalCount?: () => Promise<number>;
}

export const PageInfoRef = builder.objectRef<ConnectionShape<unknown>>('PageInfo').implement({
  description: 'Where a page sits in its list, for cursor pagination.',
  fields: (t) => ({
    hasNextPage: t.boolean({
      description: 'True when more items follow this page: pass endCursor as `after` to get them.',
      resolve: (c) => c.page.hasNextPage,
    }),
    hasPreviousPage: t.boolean({
      description: 'True when items come before this page (it was asked for with `after`).',
      resolve: (c) => c.afterGiven,
    }),
    startCursor: t.string({
      nullable: true,
      description: 'Cursor of the first item of this page; null when the page is empty.',
      resolve: (c) => (c.page.rows.length ? c.cursorOf(c.page.rows[0]) : null),
    }),
    endCursor: t.string({
      nullable: true,
      description: 'Cursor of the last item of this page (pass it as `after`); null when the page is empty.',
      resolve: (c) => (c.page.rows.length ? c.cursorOf(c.page.rows[c.page.rows.length - 1]) : null),
    }),
  }),
});

export function connectionType<T>(
  name: string,
  nodeRef: any,
  options: { description: string; nodeDescription: string; totalCountDescription?: string },
) {
  const edge = builder.objectRef<{ node: T; cursor: string }>(`${name}Edge`).implement({
    description: `One item of a ${name}Connection with its cursor.`,
    fields: (t) => ({
      cursor: t.exposeString('cursor', { description: 'Opaque position of this item; pass it as `after` to continue after it.' }),
      node: t.field({ type: nodeRef, description: options.nodeDescription, resolve: (e) => e.node as never }),
    }),
  });
  return builder.objectRef<ConnectionShape<T>>(`${name}Connection`).implement({
    description: options.description,
    fields: (t) => ({
      edges: t.field({
        type: [edge],
        description: 'The items of this page with their cursors.',
        resolve: (c) => c.page.rows.map((node) => ({ node, cursor: c.cursorOf(node) })),
      }),
      nodes: t.field({
        type: [nodeRef],
        description: 'The items of this page, without cursors.',
        resolve: (c) => c.page.rows as never,
      }),
      pageInfo: t.field({
        type: PageInfoRef,
        description: 'Cursors and whether more pages exist.',
        resolve: (c) => c as ConnectionShape<unknown>,
      }),
      ...(options.totalCountDescription
        ? {
            totalCount: t.int({
              description: options.totalCountDescription,
              resolve: (c) => (c.totalCount ? c.totalCount() : c.page.rows.length),
            }),
          }
        : {}),
    }),
  });
}

export const connectionArgs = builder.args((t) => ({
  first: t.int({ description: 'How many items to return: 1 to 100, default 20.' }),
  after: t.string({ description: 'Return the items after this cursor (an endCursor of an earlier page).' }),
}));

/** Validated page arguments; a bad `first` or cursor is a GraphQL error, not a typed error. */
export function pageArgs(args: { first?: number | null; after?: string | null }): { first: number; after: string | null } {
  try {
    return { first: pageSize(args.first), after: args.after ?? null };
  } catch (error) {
    throw new GraphQLError((error as Error).message, { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

/** Runs a listing, turning a forged cursor into a GraphQL error. */
export async function withCursorErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } });
    throw error;
  }
}

/** Hands a page's rows to the request's loaders so nested lookups of them need no statement. */
export function primed<T>(page: Page<T>, prime: (rows: T[]) => unknown): Page<T> {
  prime(page.rows);
  return page;
}
