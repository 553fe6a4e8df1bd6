import { Inject, Injectable } from '@nestjs/common';
import { type KeyResource } from '@keyway/contracts';
import { displayParts, generateKey, hashKey } from '@keyway/key-material';
import { type Principal } from '../auth/principal';
import { type EventContext } from '../event-store/event-store';
import { PEPPER } from '../pepper';
import { KeyAggregate } from './key-aggregate';
import { keyResource } from './key-resource';

/**
 * Rotation (`POST /v1/keys/{id}/rotate`): a new secret for the same key, returned once; only its
 * HMAC is recorded (`keyway.key.rotated.v1`, decided in `key.decide.ts`). The old secret keeps
 * working for `gracePeriodMs`, never past the key's expiry: zero-downtime rotation.
 */
@Injectable()
export class RotateKey {
  constructor(
    private readonly aggregate: KeyAggregate,
    @Inject(PEPPER) private readonly pepper: string,
  ) {}

  async execute(
    principal: Principal,
    keyId: string,
    gracePeriodMs: number,
    context: EventContext,
  ): Promise<{ key: string; resource: KeyResource }> {
    let secret = '';
    const key = await this.aggregate.manage(
      principal,
      keyId,
      (current) => {
        // The new secret keeps the key's prefix and environment.
        const prefix = current.start.slice(0, current.start.indexOf('_'));
        secret = generateKey(prefix, current.environment);
        return {
          kind: 'rotate',
          keyHash: hashKey(this.pepper, secret),
          ...displayParts(secret),
          gracePeriodMs,
        };
      },
      context,
    );
    return { key: secret, resource: keyResource(key) };
  }
}
