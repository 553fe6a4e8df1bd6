import { z } from 'zod';
import { Actor, IpAddress, IsoTimestamp, KeyId, WorkspaceId } from '../scalars';

/** A SHA-256 digest as 64 lowercase hex characters. */
export const ChainHash = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .meta({ description: 'SHA-256 as lowercase hex.' });
export type ChainHash = z.infer<typeof ChainHash>;

/** The `prevHash` of a workspace's first record: 32 zero bytes. */
export const GENESIS_HASH: ChainHash = '0'.repeat(64);

const Change = z
  .record(z.string(), z.json())
  .nullable()
  .meta({ description: 'Changed fields only; null when nothing existed before (or after).' });

/**
 * One record of a workspace's audit trail, as stored, served, exported and hashed.
 *
 * `hash` is SHA-256 over the UTF-8 bytes of the RFC 8785 (JCS) canonical JSON of the record
 * without `hash`; since that includes `prevHash` (the previous record's `hash`, `GENESIS_HASH` for
 * position 1) and `position`, each record commits to every record before it
 * (docs/api/audit.md "The chain").
 */
export const AuditRecord = z
  .strictObject({
    workspaceId: WorkspaceId,
    position: z.int().min(1).meta({ description: "1, 2, 3… in the workspace's chain, no gaps." }),
    id: z.string().min(1).max(128).meta({ description: "The source event's id." }),
    type: z
      .string()
      .regex(/^keyway\.[a-z0-9-]+(?:\.[a-z0-9-]+)*\.v[1-9][0-9]*$/)
      .meta({ description: 'Event type, e.g. `keyway.key.revoked.v1`.' }),
    subject: z.string().min(1).max(256),
    sequence: z.int().min(1),
    time: IsoTimestamp.meta({ description: 'When it happened (the event time).' }),
    recordedAt: IsoTimestamp.meta({ description: 'When audit appended it to the chain.' }),
    actor: Actor,
    clientAddress: IpAddress.nullable(),
    userAgent: z.string().max(1024).nullable(),
    correlationId: z.string().max(128).nullable(),
    keyId: KeyId.nullable().meta({ description: 'The key the record is about, if any.' }),
    before: Change,
    after: Change,
    prevHash: ChainHash,
    hash: ChainHash,
  })
  .meta({ id: 'AuditRecord' });
export type AuditRecord = z.infer<typeof AuditRecord>;

/** What is hashed: the record without its own hash. */
export type UnhashedAuditRecord = Omit<AuditRecord, 'hash'>;
