import { createHash } from 'node:crypto';
import { type ChainHash, type UnhashedAuditRecord } from '@keyway/contracts';
import { canonicalJson } from './canonical-json';

/** SHA-256 over the UTF-8 bytes of the record's canonical JSON (without `hash`), as hex. */
export function recordHash(record: UnhashedAuditRecord): ChainHash {
  const { hash: _ignored, ...unhashed } = record as UnhashedAuditRecord & { hash?: unknown };
  return createHash('sha256').update(canonicalJson(unhashed), 'utf8').digest('hex');
}
