import { z } from 'zod';
import { CloudEventEnvelope } from '../cloud-event';
import { AllowedCidrs, Credits, KeyEnvironment } from '../keys/key-fields';
import { ScopeName } from '../keys/scope-grammar';
import { durationMs } from './duration';
import { IsoTimeInput, MetadataInput, queryInteger, RateLimitInputs } from './inputs';

export { RateLimitInput, RateLimitInputs } from './inputs';

// The management API's key routes (`/v1/keys`): what a client sends and gets back. Requests are
// strict (unknown fields are refused); `z.input` types are what a client may send.

export const EXPIRY_PRESETS = ['never', '7d', '30d', '90d', '1y'] as const;

/**
 * A key's scopes: names of the scope grammar, or exactly `["*"]`, which only a key owned by an
 * identity may carry: it inherits all of the identity's scopes, whatever they become.
 */
export const KeyScopes = z
  .array(z.union([ScopeName, z.literal('*')]))
  .max(100)
  .refine((scopes) => !scopes.includes('*') || scopes.length === 1, {
    message: '"*" (inherit the owning identity\'s scopes) stands alone: ["*"]',
  })
  .meta({
    description:
      'Scope names, or `["*"]` for a key owned by an identity: all of its scopes, as they change.',
  });

/** `POST /v1/keys`. */
export const CreateKeyRequest = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    environment: KeyEnvironment.default('live'),
    scopes: KeyScopes.default([]),
    expires: z
      .union([z.enum(EXPIRY_PRESETS), IsoTimeInput])
      .default('never')
      .meta({ description: 'A preset or an ISO time in the future.' }),
    rateLimits: RateLimitInputs.optional().meta({ description: "Default: the workspace's." }),
    credits: Credits.optional(),
    allowedCidrs: AllowedCidrs.max(100).optional(),
    ownerId: z.string().min(1).max(256).optional().meta({
      description: "A member id (`mem_…`) or the external id of one of the workspace's identities.",
    }),
    metadata: MetadataInput.default({}),
  })
  .meta({ id: 'CreateKeyRequest' });
export type CreateKeyRequest = z.input<typeof CreateKeyRequest>;

/** `PATCH /v1/keys/{id}`: the fields to change; `null` clears a nullable one. */
export const UpdateKeyRequest = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    scopes: KeyScopes.optional(),
    rateLimits: RateLimitInputs.optional(),
    credits: Credits.nullable().optional(),
    allowedCidrs: AllowedCidrs.max(100).nullable().optional(),
    expiresAt: IsoTimeInput.nullable().optional(),
    ownerId: z.string().min(1).max(256).nullable().optional(),
    metadata: MetadataInput.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' })
  .meta({ id: 'UpdateKeyRequest' });
export type UpdateKeyRequest = z.input<typeof UpdateKeyRequest>;

const MAX_GRACE_MS = 30 * 86_400_000;

/** `POST /v1/keys/{id}/rotate`. */
export const RotateKeyRequest = z
  .strictObject({
    gracePeriod: z
      .string()
      .default('0s')
      .refine((value) => {
        const ms = durationMs(value);
        return ms !== null && ms <= MAX_GRACE_MS;
      }, 'a duration like 0s, 15m, 24h or 7d, at most 30d')
      .meta({ description: 'How long the old secret keeps working. Default 0s.' }),
  })
  .meta({ id: 'RotateKeyRequest' });
export type RotateKeyRequest = z.input<typeof RotateKeyRequest>;

/** `POST /v1/keys/{id}/revoke`. */
export const RevokeKeyRequest = z
  .strictObject({ reason: z.string().trim().min(1).max(500).optional() })
  .meta({ id: 'RevokeKeyRequest' });
export type RevokeKeyRequest = z.input<typeof RevokeKeyRequest>;

/** `GET /v1/keys` query. */
export const ListKeysQuery = z
  .strictObject({
    limit: queryInteger(1, 100, 20),
    cursor: z.string().max(200).optional(),
    status: z.enum(['active', 'revoked', 'expired']).optional(),
    environment: z.enum(['live', 'test']).optional(),
    ownerId: z.string().min(1).max(256).optional(),
  })
  .meta({ id: 'ListKeysQuery' });
export type ListKeysQuery = z.input<typeof ListKeysQuery>;

const Iso = z.string().meta({ format: 'date-time' });

/** The key resource (SPEC "Management"). Never contains the secret. */
export const KeyResource = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    name: z.string(),
    environment: z.enum(['live', 'test']),
    start: z.string().meta({ description: 'Prefix, environment and the first 4 body characters.' }),
    last4: z.string(),
    scopes: z.array(z.string()),
    rateLimits: z.array(z.object({ name: z.string(), limit: z.number(), window: z.string() })),
    credits: z
      .object({
        remaining: z.number(),
        refill: z.object({ amount: z.number(), interval: z.enum(['daily', 'monthly']) }).nullable(),
      })
      .nullable(),
    allowedCidrs: z.array(z.string()).nullable(),
    expiresAt: Iso.nullable(),
    ownerId: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    status: z.enum(['active', 'revoked', 'expired']),
    createdAt: Iso,
    createdBy: z.string(),
    lastRotatedAt: Iso.nullable(),
    previousKeyExpiresAt: Iso.nullable(),
    revokedAt: Iso.nullable(),
    revokeReason: z.string().nullable(),
    version: z.number().int(),
  })
  .meta({ id: 'Key' });
export type KeyResource = z.infer<typeof KeyResource>;

/** `POST /v1/keys` and `POST /v1/keys/{id}/rotate`: the resource and, this once, the secret. */
export const KeyWithSecret = KeyResource.extend({
  key: z.string().meta({ description: 'The secret. Shown this once; only its HMAC is kept.' }),
}).meta({ id: 'KeyWithSecret' });
export type KeyWithSecret = z.infer<typeof KeyWithSecret>;

/** `GET /v1/keys`. */
export const KeyList = z
  .object({ data: z.array(KeyResource), nextCursor: z.string().nullable() })
  .meta({ id: 'KeyList' });
export type KeyList = z.infer<typeof KeyList>;

/** `GET /v1/keys/{id}/events`. */
export const KeyEventList = z
  .object({ data: z.array(CloudEventEnvelope) })
  .meta({ id: 'KeyEventList', description: 'CloudEvents in sequence order.' });
export type KeyEventList = z.infer<typeof KeyEventList>;
