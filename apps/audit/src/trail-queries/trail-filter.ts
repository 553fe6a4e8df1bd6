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
}

export interface SqlQuery {
  readonly text: string;
  readonly values: unknown[];
}

/** The `WHERE` conditions of a filter over `audit_events` (alias-free), with its values. */
function conditions(
  workspaceId: string,
  filter: TrailFilter,
  values: unknown[],
  { typeColumnValue }: { typeColumnValue?: string } = {},
): string[] {
  const param = (value: unknown) => `$${values.push(value)}`;
  const where = [`workspace_id = ${param(workspaceId)}`];
  if (filter.keyId !== undefined) where.push(`key_id = ${param(filter.keyId)}`);
  if (filter.actor !== undefined) where.push(`actor = ${param(filter.actor)}`);
  if (typeColumnValue !== undefined) where.push(`type = ${typeColumnValue}`);
  else if (filter.type !== undefined && filter.type.length === 1) {
    where.push(`type = ${param(filter.type[0])}`);
  } else if (filter.type !== undefined) {
    where.push(`type = ANY(${param(filter.type)}::text[])`);
  }
  if (filter.from !== undefined) where.push(`occurred_at >= ${param(filter.from)}::timestamptz`);
  if (filter.to !== undefined) where.push(`occurred_at < ${param(filter.to)}::timestamptz`);
  return where;
}

/**
 * One page of records in position order. Several types are read as one bounded index scan per
 * type (each at most `limit` rows), merged by position: never a sort of every matching row.
 */
export function trailPageQuery(
  workspaceId: string,
  filter: TrailFilter,
  page: TrailPage,
): SqlQuery {
  const values: unknown[] = [];
  const direction = page.order === 'desc' ? 'DESC' : 'ASC';
  const several = filter.type !== undefined && filter.type.length > 1;
  const where = conditions(
    workspaceId,
    filter,
    values,
    several ? { typeColumnValue: 't.type' } : {},
  );
  if (page.after !== null) {
    where.push(`position ${page.order === 'desc' ? '<' : '>'} $${values.push(page.after)}`);
  }
  const limit = `$${values.push(page.limit)}`;
  const select = `SELECT position, record FROM audit_events
       WHERE ${where.join(' AND ')}
       ORDER BY position ${direction} LIMIT ${limit}`;
  if (!several) return { text: select, values };
  const types = `$${values.push(filter.type)}`;
  return {
    text: `SELECT e.position, e.record FROM unnest(${types}::text[]) AS t(type)
       CROSS JOIN LATERAL (${select}) AS e
       ORDER BY e.position ${direction} LIMIT ${limit}`,
    values,
  };
}

/** Every record the filter selects, oldest first (chain order): what exports stream. */
export function trailExportQuery(workspaceId: string, filter: TrailFilter): SqlQuery {
  const values: unknown[] = [];
  const where = conditions(workspaceId, filter, values);
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
