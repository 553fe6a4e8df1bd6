import { z } from 'zod';
import { IpAddress, IsoTimestamp, KeyId, WorkspaceId } from '../scalars';
import { KeyEnvironment } from '../keys/key-fields';
import { ScopeName } from '../keys/scope-grammar';
import { VerificationCode } from '../usage/verification-code';

const RateLimitName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/);

/** One named limit to charge: `default` when no name is given; `cost: 0` checks without spending. */
export const RateLimitCharge = z.strictObject({
  name: RateLimitName.optional(),
  cost: z.int().min(0).max(1_000_000).optional(),
});
export type RateLimitCharge = z.infer<typeof RateLimitCharge>;

/** `POST /v1/verify`. */
export const VerifyKeyRequest = z
  .strictObject({
    key: z.string().min(1).max(4096).meta({ description: 'A key, or a session token.' }),
    environment: KeyEnvironment.optional(),
    scopes: z.array(ScopeName).max(64).optional().meta({ description: 'All are required.' }),
    ratelimit: z
      .union([RateLimitCharge, z.array(RateLimitCharge).min(1).max(16)])
      .optional()
      .meta({
        description:
          "Limits to charge, all or none. Default: the key's `default` limit, cost 1. A name the key has no limit for is not limited.",
      }),
    credits: z
      .strictObject({ cost: z.int().min(0).max(1_000_000) })
      .optional()
      .meta({ description: 'Credits to spend when valid (default 1; 0 checks only).' }),
    clientAddress: IpAddress.optional().meta({
      description:
        "The end client's address for the key's `allowedCidrs`, when verifying on its behalf (default: the caller's address).",
    }),
  })
  .meta({ id: 'VerifyKeyRequest' });
export type VerifyKeyRequest = z.infer<typeof VerifyKeyRequest>;

export const RateLimitState = z
  .object({
    name: z.string(),
    limit: z.int(),
    remaining: z.int(),
    resetAt: IsoTimestamp,
    window: z.int().meta({ description: 'Window length in ms.' }),
    passed: z.boolean(),
  })
  .meta({ id: 'RateLimitState' });
export type RateLimitState = z.infer<typeof RateLimitState>;

/** `200` of `POST /v1/verify`: `valid` is true exactly when `code` is `VALID`. */
export const VerifyKeyResponse = z
  .object({
    valid: z.boolean(),
    code: VerificationCode,
    keyId: KeyId.nullable(),
    workspaceId: WorkspaceId.nullable(),
    environment: KeyEnvironment.nullable(),
    scopes: z.array(z.string()).meta({
      description:
        "What the key may do now: capped by its owner (a member's role, or an identity's current scopes).",
    }),
    ownerId: z.string().nullable(),
    metadata: z.record(z.string(), z.json()).nullable(),
    expiresAt: IsoTimestamp.nullable(),
    ratelimit: RateLimitState.nullable().meta({
      description: 'The charged limit with the least remaining (the one that denied, if any).',
    }),
    ratelimits: z.array(RateLimitState).meta({
      description:
        "One per charged limit name; for a key owned by an identity, the binding one of the key's own window and the identity's shared one.",
    }),
    credits: z.object({ remaining: z.int() }).nullable(),
  })
  .meta({ id: 'VerifyKeyResponse' });
export type VerifyKeyResponse = z.infer<typeof VerifyKeyResponse>;
