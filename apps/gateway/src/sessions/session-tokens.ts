import { Inject, Injectable } from '@nestjs/common';
import { errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

const ISSUER = 'keyway-gateway';
const encoder = new TextEncoder();

/** What a session token stands for: the key (by id) and the key hash it was exchanged with. */
export interface SessionClaims {
  readonly keyId: string;
  readonly keyHash: string;
}

export type SessionCheck = SessionClaims | 'EXPIRED' | 'MALFORMED';

/**
 * Session tokens: JWS (HS256) with the signing key's id in the header, from `jose`. The first
 * configured key signs; every configured key verifies, so a new key is rolled out first as a
 * second entry, then moved first, then the old one is dropped after the longest session (1 h).
 * A token carries the key's hash (not a secret: events carry it too), so the verify script judges
 * it exactly like the key: revoking, expiring or rotating the key ends its sessions at once.
 */
@Injectable()
export class SessionTokens {
  private readonly signing: { kid: string; secret: Uint8Array };
  private readonly resolve: JWTVerifyGetKey;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    const keys = new Map(
      config.sessionKeys.map(({ kid, secret }) => [kid, encoder.encode(secret)]),
    );
    const [first] = config.sessionKeys;
    if (!first) throw new Error('no session signing key');
    this.signing = { kid: first.kid, secret: encoder.encode(first.secret) };
    this.resolve = async (header) => {
      const key = header.kid === undefined ? undefined : keys.get(header.kid);
      if (key === undefined) throw new errors.JWKSNoMatchingKey();
      return key;
    };
  }

  /** Looks like a JWS compact token (three base64url parts), as opposed to a key. */
  static looksLikeToken(candidate: string): boolean {
    return /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(candidate);
  }

  async issue(claims: SessionClaims, expiresAt: Date): Promise<string> {
    return new SignJWT({ kh: claims.keyHash })
      .setProtectedHeader({ alg: 'HS256', kid: this.signing.kid, typ: 'keyway-session+jwt' })
      .setIssuer(ISSUER)
      .setSubject(claims.keyId)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.signing.secret);
  }

  async check(token: string): Promise<SessionCheck> {
    try {
      const { payload } = await jwtVerify(token, this.resolve, {
        issuer: ISSUER,
        algorithms: ['HS256'],
        typ: 'keyway-session+jwt',
        requiredClaims: ['sub', 'exp', 'kh'],
      });
      const keyHash = payload['kh'];
      if (typeof payload.sub !== 'string' || typeof keyHash !== 'string') return 'MALFORMED';
      return { keyId: payload.sub, keyHash };
    } catch (error) {
      return error instanceof errors.JWTExpired ? 'EXPIRED' : 'MALFORMED';
    }
  }
}
