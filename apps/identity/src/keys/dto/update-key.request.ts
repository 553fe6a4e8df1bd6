import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { AllowedCidrs, Credits, KeyMetadata, Scope } from '@keyway/contracts';
import { RateLimitInput } from './create-key.request';

/** `PATCH /v1/keys/{id}`: the fields to change; `null` clears a nullable one. */
export const UpdateKeyRequest = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    scopes: z.array(Scope).max(100).optional(),
    rateLimits: z.array(RateLimitInput).max(20).optional(),
    credits: Credits.nullable().optional(),
    allowedCidrs: AllowedCidrs.max(100).nullable().optional(),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
    ownerId: z.string().min(1).max(256).nullable().optional(),
    metadata: KeyMetadata.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' })
  .meta({ id: 'UpdateKeyRequest' });

export type UpdateKeyCommand = z.output<typeof UpdateKeyRequest>;
export class UpdateKeyDto extends createZodDto(UpdateKeyRequest) {}
