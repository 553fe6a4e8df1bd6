import {
  WORKSPACE_EVENT_TYPES,
  type IdentityCreatedV1,
  type IdentityDeletedV1,
  type IdentityUpdatedV1,
  type RateLimit,
} from '@keyway/contracts';
import { identityTag } from '../record/redis-keys';

type IdentityEvent = IdentityCreatedV1 | IdentityUpdatedV1 | IdentityDeletedV1;

/** One identity event as the arguments of the identity apply script. */
export interface IdentityRecordChange {
  /** The identity's hash tag (from workspace and external id): where its record lives. */
  readonly tag: string;
  readonly identityId: string;
  readonly sequence: number;
  readonly kind: 'created' | 'updated' | 'deleted';
  readonly workspaceId: string;
  readonly externalId: string;
  /** `createdAt` (created) or `deletedAt` (deleted) in ms, else 0. */
  readonly atMs: number;
  /** Field prefixes whose fields are replaced as a whole (scopes, rate limits). */
  readonly clear: readonly string[];
  readonly fields: ReadonlyArray<readonly [string, string]>;
  /** Names of the shared windows this event defines (created: their counters start empty). */
  readonly rateLimitNames: readonly string[];
}

/**
 * Pure: what one identity event changes in the identity's Redis record. Scopes become lookup
 * fields (`s:<scope>`) like a key's, limits `rl:<name>` = `limit:windowMs`, so the verify script
 * parses nothing per request.
 */
export function identityRecordChange(event: IdentityEvent): IdentityRecordChange {
  const base = {
    tag: identityTag(event.workspaceid, event.data.externalId),
    identityId: event.subject,
    sequence: event.sequence,
    workspaceId: event.workspaceid,
    externalId: event.data.externalId,
  };
  switch (event.type) {
    case WORKSPACE_EVENT_TYPES.identityCreated: {
      const { scopes, metadata, rateLimits, createdAt } = event.data;
      return {
        ...base,
        kind: 'created',
        atMs: Date.parse(createdAt),
        ...identityFields({ scopes, metadata, rateLimits }),
      };
    }
    case WORKSPACE_EVENT_TYPES.identityUpdated:
      return { ...base, kind: 'updated', atMs: 0, ...identityFields(event.data) };
    case WORKSPACE_EVENT_TYPES.identityDeleted:
      return {
        ...base,
        kind: 'deleted',
        atMs: Date.parse(event.data.deletedAt),
        clear: [],
        fields: [],
        rateLimitNames: [],
      };
  }
}

function identityFields(data: {
  scopes?: readonly string[] | undefined;
  metadata?: Record<string, unknown> | undefined;
  rateLimits?: readonly RateLimit[] | undefined;
}): Pick<IdentityRecordChange, 'clear' | 'fields' | 'rateLimitNames'> {
  const clear: string[] = [];
  const fields: Array<readonly [string, string]> = [];
  if (data.scopes !== undefined) {
    clear.push('s:');
    fields.push(['scopes', JSON.stringify(data.scopes)]);
    for (const scope of data.scopes) fields.push([`s:${scope}`, '1']);
  }
  if (data.metadata !== undefined) fields.push(['meta', JSON.stringify(data.metadata)]);
  const rateLimitNames = (data.rateLimits ?? []).map(({ name }) => name);
  if (data.rateLimits !== undefined) {
    clear.push('rl:');
    fields.push(['rls', JSON.stringify(rateLimitNames)]);
    for (const { name, limit, windowMs } of data.rateLimits) {
      fields.push([`rl:${name}`, `${limit}:${windowMs}`]);
    }
  }
  return { clear, fields, rateLimitNames };
}
