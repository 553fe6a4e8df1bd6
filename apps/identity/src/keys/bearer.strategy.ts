import { type IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { InjectDataSource } from '@nestjs/typeorm';
import { Strategy } from 'passport-http-bearer';
import { type DataSource } from 'typeorm';
import { hashKey, parseKey } from '@keyway/key-material';
import { Clock } from '../clock';
import { PEPPER } from '../keys/pepper';
import { PLATFORM_ADMIN, ROLE_SCOPES, type Role } from './permissions';
import { type Principal } from './principal';

interface KeyRow {
  id: string;
  workspace_id: string;
  scopes: string[];
  owner_id: string | null;
  role: Role | null;
  member_status: string | null;
}

/**
 * `Authorization: Bearer <key>` with a Keyway key: shape and checksum first (no I/O), then the
 * key's HMAC against the read model. A revoked, expired or unknown key is simply not a principal.
 */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
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
    const fromHeader = /^bearer +(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (typeof token !== 'string' || fromHeader !== token) return false;
    if (typeof parseKey(token) === 'string') return false;
    const hash = hashKey(this.pepper, token);
    const rows: KeyRow[] = await this.dataSource.query(
      `SELECT k.id, k.workspace_id, k.scopes, k.owner_id, m.role, m.status AS member_status
         FROM keys k LEFT JOIN members m ON m.id = k.owner_id AND m.workspace_id = k.workspace_id
        WHERE k.status = 'active' AND (k.expires_at IS NULL OR k.expires_at > $2)
          AND (k.key_hash = $1 OR (k.previous_key_hash = $1 AND k.previous_key_expires_at > $2))`,
      [hash, this.clock.now()],
    );
    const row = rows[0];
    if (row === undefined) return false;
    let scopes = row.scopes;
    if (row.owner_id?.startsWith('mem_')) {
      // A member's key never does more than the member's role allows now.
      if (row.role === null || row.member_status !== 'active') return false;
      const allowed = new Set<string>(ROLE_SCOPES[row.role]);
      // Platform admin stays with the bootstrap owner only while that member is an owner.
      scopes = scopes.filter(
        (scope) => allowed.has(scope) || (scope === PLATFORM_ADMIN && row.role === 'owner'),
      );
    }
    return {
      keyId: row.id,
      workspaceId: row.workspace_id,
      scopes,
      ownerId: row.owner_id,
      role: row.role,
    };
  }
}
