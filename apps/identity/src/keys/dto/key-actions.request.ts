import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { durationMs } from '../duration';

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
export class RotateKeyDto extends createZodDto(RotateKeyRequest) {}

/** `POST /v1/keys/{id}/revoke`. */
export const RevokeKeyRequest = z
  .strictObject({ reason: z.string().trim().min(1).max(500).optional() })
  .meta({ id: 'RevokeKeyRequest' });
export class RevokeKeyDto extends createZodDto(RevokeKeyRequest) {}

/** `GET /v1/keys` query. */
export const ListKeysQuery = z
  .strictObject({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional(),
    status: z.enum(['active', 'revoked', 'expired']).optional(),
    environment: z.enum(['live', 'test']).optional(),
    ownerId: z.string().min(1).max(256).optional(),
  })
  .meta({ id: 'ListKeysQuery' });
export type ListKeysFilter = z.output<typeof ListKeysQuery>;
export class ListKeysQueryDto extends createZodDto(ListKeysQuery) {}
