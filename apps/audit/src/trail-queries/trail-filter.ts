/** What a trail query or export selects, as validated from the query string. */
export interface TrailFilter {
  readonly keyId?: string | undefined;
  readonly actor?: string | undefined;
  /** Event types, deduplicated; several are OR-ed. */
  readonly type?: readonly string[] | undefined;
  /** Event time at or after (ISO). */
  readonly from?: string | undefined;
  /** Event time before (ISO). */
  readonly to?: string | undefined;
}

export type TrailOrder = 'asc' | 'desc';

/** A page of a trail query: its order, where the previous page ended, how many rows. */
export interface TrailPage {
  readonly order: TrailOrder;
  /** The last position of the previous page; null on the first page. */
  readonly after: number | null;
  readonly limit: number;
  /** Rows the bounded first try of a combined query reads (`NEAR_WINDOW_ROWS`; tests use less). */
  readonly nearWindow?: number;
}

export interface SqlQuery {
  readonly text: string;
  readonly values: unknown[];
}

/** Each condition of a filter over `audit_events` (alias-free), its values bound in `values`. */
interface Conditions {
  readonly workspace: string;
  readonly key?: string;
  readonly actor?: string;
  readonly type?: string;
  /** The parameter holding the types, when there are several (`$n`, a text[]). */
  readonly types?: string;
  readonly from?: string;
  readonly to?: string;
}

function conditionsOf(workspaceId: string, filter: TrailFilter, values: unknown[]): Conditions {
  const param = (value: unknown) => `$${values.push(value)}`;
  const types = filter.type;
  return {
    workspace: `workspace_id = ${param(workspaceId)}`,
    ...(filter.keyId === undefined ? {} : { key: `key_id = ${param(filter.keyId)}` }),
    ...(filter.actor === undefined ? {} : { actor: `actor = ${param(filter.actor)}` }),
    ...(types === undefined ? {} : typeConditions(types, param)),
    ...(filter.from === undefined
      ? {}
      : { from: `occurred_at >= ${param(filter.from)}::timestamptz` }),
    ...(filter.to === undefined ? {} : { to: `occurred_at < ${param(filter.to)}::timestamptz` }),
  };
}

function typeConditions(types: readonly string[], param: (value: unknown) => string) {
  if (types.length === 1) return { type: `type = ${param(types[0])}` };
  const array = `${param(types)}::text[]`;
  return { type: `type = ANY(${array})`, types: array };
}

const all = (conditions: Conditions): string[] =>
  [
    conditions.workspace,
    conditions.key,
    conditions.actor,
    conditions.type,
    conditions.from,
    conditions.to,
  ].filter((condition): condition is string => condition !== undefined);

/** Rows the bounded first try of a combined query reads, newest (or oldest) first. */
export const NEAR_WINDOW_ROWS = 2000;

/**
 * One page of records in position order, in one statement whose cost does not depend on how
 * many rows match:
 * - one filter (or none): one index scan in position order (workspace + key, actor, type or the
 *   primary key), at most `limit` rows; several types: one such scan per type, merged;
 * - a time range, or several filters: the planner cannot know that event time follows position,
 *   nor how the filters correlate, and a wrong guess scans the whole trail. So the statement
 *   first reads the next `NEAR_WINDOW_ROWS` rows of one filter's index (key, actor, single type
 *   or primary key) and applies the others to them; only when that window was full and did not
 *   fill the page does it take every match: the positions each filter's index holds (index-only
 *   scans, proportional to each filter's rows, never a heap fetch per row), joined on position,
 *   keeping the top `limit`.
 */
export function trailPageQuery(
  workspaceId: string,
  filter: TrailFilter,
  page: TrailPage,
): SqlQuery {
  const values: unknown[] = [];
  const c = conditionsOf(workspaceId, filter, values);
  const direction = page.order === 'desc' ? 'DESC' : 'ASC';
  const after =
    page.after === null
      ? []
      : [`position ${page.order === 'desc' ? '<' : '>'} $${values.push(page.after)}`];
  const limit = `$${values.push(page.limit)}`;
  const several = filter.type !== undefined && filter.type.length > 1;
  const filters = [c.key, c.actor, c.type, c.from ?? c.to].filter(Boolean).length;
  const timed = c.from !== undefined || c.to !== undefined;
  if (!timed && filters <= 1 && !several) {
    return {
      text: `SELECT position, record FROM audit_events
       WHERE ${[...all(c), ...after].join(' AND ')}
       ORDER BY position ${direction} LIMIT ${limit}`,
      values,
    };
  }
  if (!timed && filters === 1 && c.types !== undefined) {
    return {
      text: `SELECT e.position, e.record FROM unnest(${c.types}) AS t(type)
       CROSS JOIN LATERAL (
         SELECT position, record FROM audit_events
          WHERE ${[c.workspace, 'type = t.type', ...after].join(' AND ')}
          ORDER BY position ${direction} LIMIT ${limit}) AS e
       ORDER BY e.position ${direction} LIMIT ${limit}`,
      values,
    };
  }
  const window = page.nearWindow ?? NEAR_WINDOW_ROWS;
  const lead = c.key ?? c.actor ?? (several ? undefined : c.type);
  const rest = all(c).filter((condition) => condition !== c.workspace && condition !== lead);
  // Every match: the positions each filter's index holds (index-only scans, fenced by OFFSET 0
  // so that the planner cannot turn them back into a scan in position order), merged by position.
  const time = [c.from, c.to].filter(Boolean).join(' AND ');
  const sets = [c.key, c.actor, c.type, time || undefined]
    .filter((condition): condition is string => condition !== undefined)
    .map((condition) => [c.workspace, condition, ...after].join(' AND '));
  const everyMatch =
    sets.length === 1
      ? `SELECT position FROM audit_events WHERE ${sets[0]} OFFSET 0`
      : sets
          .map(
            (where, i) =>
              `${i === 0 ? '' : 'JOIN '}(SELECT position FROM audit_events WHERE ${where}
                 ORDER BY position ${direction} OFFSET 0) AS s${i}${i === 0 ? '' : ' USING (position)'}`,
          )
          .join('\n')
          .replace(/^/, 'SELECT position FROM ');
  return {
    text: `WITH near AS MATERIALIZED (
         SELECT position, key_id, actor, type, occurred_at FROM audit_events
          WHERE ${[c.workspace, ...(lead === undefined ? [] : [lead]), ...after].join(' AND ')}
          ORDER BY position ${direction} LIMIT ${window}),
       hits AS MATERIALIZED (
         SELECT position FROM near WHERE ${rest.join(' AND ')}
          ORDER BY position ${direction} LIMIT ${limit}),
       far AS MATERIALIZED (
         SELECT position FROM (${everyMatch}) AS matching
          WHERE (SELECT count(*) FROM hits) < ${limit}
            AND (SELECT count(*) FROM near) = ${window}
          ORDER BY position ${direction} LIMIT ${limit}),
       page AS (
         SELECT position FROM far
          UNION ALL
         SELECT position FROM hits WHERE NOT EXISTS (SELECT 1 FROM far))
     SELECT e.position, e.record FROM page
       JOIN audit_events e ON ${c.workspace.replace('workspace_id', 'e.workspace_id')}
                          AND e.position = page.position
      ORDER BY e.position ${direction}`,
    values,
  };
}

/** Every record the filter selects, oldest first (chain order): what exports stream. */
export function trailExportQuery(workspaceId: string, filter: TrailFilter): SqlQuery {
  const values: unknown[] = [];
  const where = all(conditionsOf(workspaceId, filter, values));
  return {
    text: `SELECT record FROM audit_events WHERE ${where.join(' AND ')} ORDER BY position ASC`,
    values,
  };
}

/** Whether the workspace's trail mentions the key at all (one index probe). */
export function keyMentionedQuery(workspaceId: string, keyId: string): SqlQuery {
  return {
    text: `SELECT EXISTS (SELECT 1 FROM audit_events WHERE workspace_id = $1 AND key_id = $2) AS found`,
    values: [workspaceId, keyId],
  };
}

/** The usage windows of the workspace (optionally one key, a window-start range), in a fixed order. */
export function usageExportQuery(workspaceId: string, filter: TrailFilter): SqlQuery {
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const where = [`workspace_id = ${param(workspaceId)}`];
  if (filter.keyId !== undefined) where.push(`key_id = ${param(filter.keyId)}`);
  if (filter.from !== undefined) where.push(`window_start >= ${param(filter.from)}::timestamptz`);
  if (filter.to !== undefined) where.push(`window_start < ${param(filter.to)}::timestamptz`);
  return {
    text: `SELECT stream, sequence::text AS sequence, key_id, window_start, window_end,
                  first_seen_at, last_seen_at, counts,
                  ARRAY(SELECT host(a) FROM unnest(client_addresses) AS a) AS client_addresses
             FROM usage_windows WHERE ${where.join(' AND ')}
            ORDER BY window_start ASC, stream ASC, sequence ASC`,
    values,
  };
}
