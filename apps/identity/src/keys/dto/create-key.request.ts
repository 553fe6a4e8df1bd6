import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import {
  AllowedCidrs,
  Credits,
  KeyEnvironment,
  KeyMetadata,
  RateLimit,
  Scope,
} from '@keyway/contracts';

export const EXPIRY_PRESETS = ['never', '7d', '30d', '90d', '1y'] as const;

export const RateLimitInput = RateLimit.omit({ windowMs: true });

/** `POST /v1/keys`. Unknown fields are refused. */
export const CreateKeyRequest = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    environment: KeyEnvironment.default('live'),
    scopes: z.array(Scope).max(100).default([]),
    expires: z
      .union([z.enum(EXPIRY_PRESETS), z.iso.datetime({ offset: true })])
      .default('never')
      .meta({ description: 'A preset or an ISO time in the future.' }),
    rateLimits: z
      .array(RateLimitInput)
      .max(20)
      .optional()
      .meta({ description: "Default: the workspace's." }),
    credits: Credits.optional(),
    allowedCidrs: AllowedCidrs.max(100).optional(),
    ownerId: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .meta({ description: 'A member id (`mem_…`) or an external id.' }),
    metadata: KeyMetadata.default({}),
  })
  .meta({ id: 'CreateKeyRequest' });

export type CreateKeyRequest = z.input<typeof CreateKeyRequest>;
export type CreateKeyCommand = z.output<typeof CreateKeyRequest>;
export class CreateKeyDto extends createZodDto(CreateKeyRequest) {}
