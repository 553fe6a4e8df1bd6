import { z } from 'zod';
import { KeyMetadata } from '../keys/key-fields';
import { ScopeName } from '../keys/scope-grammar';
import { RateLimits } from '../rate-limit';

/**
 * The product's own id for an external owner (a user or a team of the product built on Keyway):
 * letters, digits and `_.:@-`, 1–128 characters, safe in a URL path. `mem_…` is reserved for
 * members, so a key's `ownerId` is never ambiguous.
 */
export const ExternalId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/, 'letters, digits and _.:@-, 1–128 characters')
  .refine((id) => !id.startsWith('mem_'), { message: '`mem_` is reserved for member ids' })
  .meta({
    description: "The product's id for the owner, e.g. `user_2xq9`. Keys name it as `ownerId`.",
  });
export type ExternalId = z.infer<typeof ExternalId>;

/** An identity's scopes: the most any key it owns may do. Never `keyway:*` scopes. */
export const IdentityScopes = z
  .array(
    ScopeName.refine((scope) => !scope.startsWith('keyway:'), 'keyway:* scopes belong to members'),
  )
  .max(100);

/** Free-form JSON about the owner, at most 4 KiB (as a key's metadata). */
export const IdentityMetadata = KeyMetadata;

/** Named windows shared by all the identity's keys, charged with each key's own limit of the same name. */
export const IdentityRateLimits = RateLimits;
