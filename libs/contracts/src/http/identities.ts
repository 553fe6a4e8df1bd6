import { z } from 'zod';
import { ExternalId, IdentityScopes } from '../workspaces/identity-fields';
import { MetadataInput, queryInteger, RateLimitInputs } from './inputs';

// The management API's identity routes (`/v1/identities`): external owners (a user or a team of
// the product built on Keyway) whose scopes cap every key they own.

/** `PUT /v1/identities/{externalId}`: the whole identity; absent fields take their defaults. */
export const PutIdentityRequest = z
  .strictObject({
    scopes: IdentityScopes.default([]).meta({
      description: 'The most any key the identity owns may do. Never `keyway:*` scopes.',
    }),
    metadata: MetadataInput.default({}),
    rateLimits: RateLimitInputs.default([]).meta({
      description:
        "Windows shared by all the identity's keys, charged with a key's own limit of the same name (all or nothing).",
    }),
  })
  .meta({ id: 'PutIdentityRequest' });
export type PutIdentityRequest = z.input<typeof PutIdentityRequest>;

/** The path parameter of `/v1/identities/{externalId}`. */
export const IdentityPathParams = z.strictObject({ externalId: ExternalId });

/** `GET /v1/identities` query. */
export const ListIdentitiesQuery = z
  .strictObject({
    limit: queryInteger(1, 100, 20),
    cursor: z.string().max(200).optional(),
  })
  .meta({ id: 'ListIdentitiesQuery' });
export type ListIdentitiesQuery = z.input<typeof ListIdentitiesQuery>;

const Iso = z.string().meta({ format: 'date-time' });

/** The identity resource. */
export const IdentityResource = z
  .object({
    id: z
      .string()
      .meta({ description: '`idt_…`: a new one each time the external id is created.' }),
    externalId: z.string(),
    workspaceId: z.string(),
    scopes: z.array(z.string()),
    metadata: z.record(z.string(), z.unknown()),
    rateLimits: z.array(z.object({ name: z.string(), limit: z.number(), window: z.string() })),
    createdAt: Iso,
    updatedAt: Iso,
    version: z.number().int(),
  })
  .meta({ id: 'Identity' });
export type IdentityResource = z.infer<typeof IdentityResource>;

/** `GET /v1/identities`: newest first. */
export const IdentityList = z
  .object({ data: z.array(IdentityResource), nextCursor: z.string().nullable() })
  .meta({ id: 'IdentityList' });
export type IdentityList = z.infer<typeof IdentityList>;
