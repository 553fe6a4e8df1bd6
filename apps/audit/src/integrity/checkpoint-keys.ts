import { generateKeyPairSync } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { noteSigner, type NoteSigner, type NoteVerifier } from '@keyway/audit-chain';
import { type AuditConfig } from '../config';

/** The key signing checkpoints now, and every key whose checkpoints are still accepted. */
export interface CheckpointKeys {
  readonly signer: NoteSigner;
  /** The current key first, then the old ones (`AUDIT_VERIFIER_KEYS`). */
  readonly verifiers: readonly NoteVerifier[];
  readonly origin: string;
}

export const CHECKPOINT_KEYS = Symbol('CHECKPOINT_KEYS');

/**
 * The configured signing key; outside production without one, an ephemeral key (checkpoints it
 * signs cannot be verified after a restart: the log says so, loudly).
 */
export function checkpointKeys(config: AuditConfig): CheckpointKeys {
  const { signingKey, keyName, oldKeys, origin } = config.checkpoints;
  let key = signingKey;
  if (key === null) {
    if (config.env === 'production') throw new Error('AUDIT_SIGNING_KEY is required in production');
    key = generateKeyPairSync('ed25519').privateKey;
  }
  const signer = noteSigner(keyName, key);
  if (signingKey === null) {
    new Logger('audit').warn(
      `AUDIT_SIGNING_KEY is not set: checkpoints are signed with an EPHEMERAL key (${signer.verifier.vkey}). ` +
        'They cannot be verified once audit restarts. Set AUDIT_SIGNING_KEY outside development.',
    );
  }
  const old = oldKeys.filter((verifier) => verifier.vkey !== signer.verifier.vkey);
  return { signer, verifiers: [signer.verifier, ...old], origin };
}
