import { z } from 'zod';

export const KeyEnvironment = z.enum(['live', 'test']);
export type KeyEnvironment = z.infer<typeof KeyEnvironment>;

export const KeyName = z.string().min(1).max(200);

export const Scope = z
  .string()
  .regex(/^[^\s]{1,128}$/)
  .meta({ description: 'E.g. `companies:read`; `*` may stand for the action part.' });

/** The display prefix: workspace prefix, environment and the body's first 4 characters. */
export const KeyStart = z.string().regex(/^[a-z]{2,12}_(?:live|test)_[0-9A-Za-z]{4}$/);

export const KeyLast4 = z.string().regex(/^[0-9A-Za-z]{4}$/);

export const Credits = z
  .strictObject({
    remaining: z.int().min(0),
    refill: z
      .strictObject({ amount: z.int().min(1), interval: z.enum(['daily', 'monthly']) })
      .nullable(),
  })
  .meta({ description: 'Usage cap set by the operator; spending is counted by the gateway.' });
export type Credits = z.infer<typeof Credits>;

export const AllowedCidrs = z
  .array(z.union([z.cidrv4(), z.cidrv6()]))
  .min(1)
  .meta({ description: 'Client address allowlist; `null` (not `[]`) allows any address.' });

const METADATA_MAX_BYTES = 4096;

export const KeyMetadata = z
  .record(z.string(), z.json())
  .refine(
    (metadata) => new TextEncoder().encode(JSON.stringify(metadata)).length <= METADATA_MAX_BYTES,
    {
      message: `must be at most ${METADATA_MAX_BYTES} bytes of JSON`,
    },
  )
  .meta({ description: 'Free-form JSON object, at most 4 KiB serialized.' });

export const OwnerId = z
  .string()
  .min(1)
  .max(256)
  .meta({ description: 'A member id or an external id.' });
