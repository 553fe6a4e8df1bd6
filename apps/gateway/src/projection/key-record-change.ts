import {
  KEY_EVENT_TYPES,
  type Credits,
  type KeyEvent,
  type KeyIssuedV1,
  type RateLimit,
} from '@keyway/contracts';
import { encodeCidrs } from '../record/address-range';
import { identityTag } from '../record/redis-keys';

type Status = 'active' | 'expired' | 'revoked' | 'deleted';
type KeyFields = {
  [K in keyof Omit<KeyIssuedV1['data'], 'keyId' | 'createdBy' | 'start' | 'last4'>]?:
    | KeyIssuedV1['data'][K]
    | undefined;
};

/** One key event as the arguments of the apply script, plus the hash index entries it implies. */
export interface KeyRecordChange {
  readonly keyId: string;
  readonly sequence: number;
  readonly kind: 'issued' | 'updated' | 'rotated' | 'revoked' | 'expired' | 'deleted';
  readonly status: Status | '';
  /** Field prefixes whose fields are replaced as a whole (scopes, rate limits). */
  readonly clear: readonly string[];
  readonly creditsSet: boolean;
  readonly fields: ReadonlyArray<readonly [string, string]>;
  /** Hash index entries to write: hash → key id, until `expiresAtMs` when given. */
  readonly hashes: ReadonlyArray<{ readonly hash: string; readonly expiresAtMs?: number }>;
  /** The member now owning the key, whose role caps it. */
  readonly memberOwner: string | null;
  /**
   * Where the key lives (`KeyLocation.tag`): known from `issued` only (the owning identity's tag,
   * or null for the key's own id); `undefined` for later events, whose location is looked up.
   */
  readonly tag?: string | null;
}

/**
 * Pure: what one key event changes in the key's Redis record. Everything verification needs is
 * precomputed here (scope lookup fields, address ranges, window lengths in ms, expiry in ms), so
 * the verify script parses nothing per request. No secret is involved: only hashes.
 */
export function keyRecordChange(event: KeyEvent): KeyRecordChange {
  const base = {
    keyId: event.subject,
    sequence: event.sequence,
    clear: [] as string[],
    creditsSet: false,
    fields: [] as Array<readonly [string, string]>,
    hashes: [] as Array<{ hash: string; expiresAtMs?: number }>,
    memberOwner: null as string | null,
  };
  switch (event.type) {
    case KEY_EVENT_TYPES.issued: {
      const { keyHash, environment, workspaceId, ...rest } = event.data;
      const changed = withFields(base, rest);
      // A key owned by anyone but a member is owned by an identity (its external id): it lives
      // under the identity's tag and is judged against it. Ownership by an identity is fixed.
      const owner = event.data.ownerId;
      const tag = owner && !owner.startsWith('mem_') ? identityTag(workspaceId, owner) : null;
      const created: Array<readonly [string, string]> =
        tag === null ? [] : [['crt', String(Date.parse(event.data.createdAt))]];
      return {
        ...changed,
        kind: 'issued',
        status: 'active',
        fields: [
          ['ws', workspaceId],
          ['env', environment],
          ['h', keyHash],
          ...created,
          ...changed.fields,
        ],
        hashes: [{ hash: keyHash }],
        tag,
      };
    }
    case KEY_EVENT_TYPES.updated:
      return { ...withFields(base, event.data), kind: 'updated', status: '' };
    case KEY_EVENT_TYPES.rotated: {
      const previousExpiresAtMs = Date.parse(event.data.previousKeyExpiresAt);
      return {
        ...base,
        kind: 'rotated',
        status: '',
        fields: [
          ['h', event.data.keyHash],
          ['ph', event.data.previousKeyHash],
          ['pexp', String(previousExpiresAtMs)],
        ],
        hashes: [
          { hash: event.data.keyHash },
          { hash: event.data.previousKeyHash, expiresAtMs: previousExpiresAtMs },
        ],
      };
    }
    case KEY_EVENT_TYPES.revoked:
      return { ...base, kind: 'revoked', status: 'revoked' };
    case KEY_EVENT_TYPES.expired:
      return { ...base, kind: 'expired', status: 'expired' };
    case KEY_EVENT_TYPES.deleted:
      return { ...base, kind: 'deleted', status: 'deleted' };
    case KEY_EVENT_TYPES.expiring:
      // A notice: the record changes only its sequence.
      return { ...base, kind: 'updated', status: '' };
  }
}

function withFields<T extends { clear: string[]; fields: Array<readonly [string, string]> }>(
  base: T,
  data: KeyFields,
): T & { creditsSet: boolean; memberOwner: string | null } {
  const clear: string[] = [];
  const fields: Array<readonly [string, string]> = [];
  let creditsSet = false;
  let memberOwner: string | null = null;
  if (data.scopes !== undefined) {
    clear.push('s:');
    fields.push(['scopes', JSON.stringify(data.scopes)]);
    for (const scope of data.scopes) fields.push([`s:${scope}`, '1']);
  }
  if (data.rateLimits !== undefined) {
    clear.push('rl:');
    fields.push(...rateLimitFields(data.rateLimits));
  }
  if (data.credits !== undefined) {
    creditsSet = data.credits !== null;
    fields.push(...creditFields(data.credits));
  }
  if (data.allowedCidrs !== undefined) {
    fields.push(['cidr', data.allowedCidrs === null ? '' : encodeCidrs(data.allowedCidrs)]);
  }
  if (data.expiresAt !== undefined) {
    fields.push(['exp', data.expiresAt === null ? '' : String(Date.parse(data.expiresAt))]);
  }
  if (data.metadata !== undefined) fields.push(['meta', JSON.stringify(data.metadata)]);
  if (data.ownerId !== undefined) {
    const owner = data.ownerId ?? '';
    memberOwner = owner.startsWith('mem_') ? owner : null;
    // A member's key knows no role until the member's own projection caps it: `?` allows none
    // of Keyway's management scopes meanwhile. Keys owned by anyone else are not capped.
    fields.push(['owner', owner], ['cap', memberOwner ? '?' : ''], ['capm', ''], ['capseq', '']);
  }
  return { ...base, clear: [...base.clear, ...clear], fields, creditsSet, memberOwner };
}

function rateLimitFields(rateLimits: readonly RateLimit[]): Array<readonly [string, string]> {
  return [
    ['rls', JSON.stringify(rateLimits.map(({ name }) => name))],
    ...rateLimits.map(
      ({ name, limit, windowMs }) => [`rl:${name}`, `${limit}:${windowMs}`] as const,
    ),
  ];
}

function creditFields(credits: Credits | null): Array<readonly [string, string]> {
  if (credits === null) {
    return [
      ['cr', ''],
      ['crA', ''],
      ['crI', ''],
      ['crP', ''],
    ];
  }
  return [
    ['cr', String(credits.remaining)],
    ['crA', credits.refill === null ? '' : String(credits.refill.amount)],
    ['crI', credits.refill === null ? '' : credits.refill.interval],
  ];
}
