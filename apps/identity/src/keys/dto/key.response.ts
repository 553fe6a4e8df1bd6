import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { CloudEventEnvelope } from '@keyway/contracts';

const Iso = z.string().meta({ format: 'date-time' });

export const KeyResourceSchema = z
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
export class KeyResourceDto extends createZodDto(KeyResourceSchema) {}

export const KeyWithSecretSchema = KeyResourceSchema.extend({
  key: z.string().meta({ description: 'The secret. Shown this once; only its HMAC is kept.' }),
}).meta({ id: 'KeyWithSecret' });
export class KeyWithSecretDto extends createZodDto(KeyWithSecretSchema) {}

export const KeyListSchema = z
  .object({ data: z.array(KeyResourceSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'KeyList' });
export class KeyListDto extends createZodDto(KeyListSchema) {}

export const KeyEventListSchema = z
  .object({ data: z.array(CloudEventEnvelope) })
  .meta({ id: 'KeyEventList', description: 'CloudEvents in sequence order.' });
export class KeyEventListDto extends createZodDto(KeyEventListSchema) {}
