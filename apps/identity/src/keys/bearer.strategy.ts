import { type IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { hashKey, parseKey } from '@keyway/key-material';
import { scopesWithinRole } from '../auth/authorize';
import { bearerCredential } from '../auth/bearer-auth.guard';
import { type Principal } from '../auth/principal';
import { Clock } from '../clock';
import { PEPPER } from '../pepper';
import { KeysRepository } from './keys.repository';

/**
 * `Authorization: Bearer <key>` with a Keyway key: shape and checksum first (no I/O), then the
 * key's HMAC against the read model, with its member's current role, in one query. A revoked,
 * expired or unknown key is simply not a principal. A member's key is capped by the member's
 * current role (`auth/authorize.ts`).
 */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(
    private readonly keys: KeysRepository,
    @Inject(PEPPER) private readonly pepper: string,
    private readonly clock: Clock,
  ) {
    super({ passReqToCallback: true });
  }

  async validate(
    request: { headers: IncomingHttpHeaders },
    token: unknown,
  ): Promise<Principal | false> {
    // passport-http-bearer also reads `access_token` from the query and body; a key in a URL ends
    // up in logs and proxies, so only the Authorization header counts.
    const fromHeader = bearerCredential(request.headers.authorization);
    if (typeof token !== 'string' || fromHeader !== token) return false;
    if (typeof parseKey(token) === 'string') return false;
    const keyHash = hashKey(this.pepper, token);
    const key = await this.keys.findActiveByHash(keyHash, this.clock.now());
    if (key === null) return false;
    if (!key.ownerId?.startsWith('mem_')) {
      return {
        keyId: key.id,
        keyHash,
        workspaceId: key.workspaceId,
        environment: key.environment,
        scopes: key.scopes,
        ownerId: key.ownerId,
        role: null,
      };
    }
    // A member's key never does more than the member's role allows now; a removed member's none.
    const role = key.ownerRole;
    if (role === null) return false;
    return {
      keyId: key.id,
      keyHash,
      workspaceId: key.workspaceId,
      environment: key.environment,
      scopes: scopesWithinRole(key.scopes, role),
      ownerId: key.ownerId,
      role,
    };
  }
}
