import { Inject, Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { type VerificationCode } from '@keyway/contracts';
import { hashKey, parseKey } from '@keyway/key-material';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { GatewayError } from '../gateway-error';
import { ProjectionStatus } from '../projection/projection-status';
import { addressHex } from '../record/address-range';
import { type KeyLocation, redisKeys } from '../record/redis-keys';
import { SessionTokens } from '../sessions/session-tokens';
import { KeyIdCache } from './key-id-cache';
import { verdictFromScript, verdictWithoutKey, type Verdict } from './verdict';
import { VERIFY_LUA } from './verify.script';

/** What to check, once the credential is in hand. */
export interface VerificationRequest {
  /** A key or a session token, exactly as presented. */
  readonly credential: string;
  readonly environment?: 'live' | 'test' | undefined;
  readonly scopes?: readonly string[] | undefined;
  /** Limits to charge; `undefined`: the key's `default` limit, cost 1. */
  readonly charges?:
    | ReadonlyArray<{ name?: string | undefined; cost?: number | undefined }>
    | undefined;
  readonly creditCost?: number | undefined;
  /** The client's address (for `allowedCidrs`), null when unknown. */
  readonly clientAddress: string | null;
  /** The key must have this id (`X-Api-Key` sent with `X-Api-Secret`): checked before charging. */
  readonly expectedKeyId?: string | null | undefined;
}

/** Up to this many limit names per verification. */
const MAX_CHARGED_LIMITS = 16;
/** The key record, its identity's record, and two windows (the key's, the identity's) per name. */
const MAX_SCRIPT_KEYS = 2 + 2 * MAX_CHARGED_LIMITS;

type VerifyClient = Redis & Record<string, (...keysAndArgs: string[]) => Promise<unknown[]>>;

/**
 * One command per key count, each with a fixed `numberOfKeys`, so the first argument is the
 * key record: ioredis's auto-pipelining on a Cluster routes a command by its first argument
 * (with a variable key count that would be the count, not the key). All share one script SHA.
 */
const verifyCommand = (keyCount: number) => `keywayVerify${keyCount}`;

const DEFAULT_CHARGE = [{ name: 'default', cost: 1 }];

/**
 * Verifies a key or session: shape and checksum first (a malformed key costs no Redis command),
 * then one EVALSHA that decides everything else atomically (verify.script.ts). Redis that does
 * not answer in time fails closed (503) unless configured to fail open.
 */
@Injectable()
export class VerificationService {
  private readonly logger = new Logger(VerificationService.name);
  private readonly redis: VerifyClient;
  private lastOutageReport = 0;
  private refusedSinceReport = 0;
  /** When Redis last answered a verification (see `withinTimeout`). */
  private lastAnswerAt = 0;

  constructor(
    redis: Redis,
    private readonly keyIds: KeyIdCache,
    private readonly sessions: SessionTokens,
    private readonly projection: ProjectionStatus,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    for (let keyCount = 1; keyCount <= MAX_SCRIPT_KEYS; keyCount++) {
      redis.defineCommand(verifyCommand(keyCount), { numberOfKeys: keyCount, lua: VERIFY_LUA });
    }
    this.redis = redis as VerifyClient;
  }

  /** HMAC-SHA256(pepper, key): what the projection knows a key by. */
  hashOf(key: string): string {
    return hashKey(this.config.pepper, key);
  }

  async verify(request: VerificationRequest): Promise<Verdict> {
    // Keys are located synchronously (shape, checksum, HMAC); only session tokens await.
    const located = SessionTokens.looksLikeToken(request.credential)
      ? await this.locate(request.credential)
      : this.locateKey(request.credential);
    if (typeof located === 'string') return verdictWithoutKey(located);
    if (!this.projection.caughtUp) {
      throw new GatewayError('UNAVAILABLE', 'the key projection is catching up; retry shortly', {
        reason: 'PROJECTION_CATCHING_UP',
      });
    }
    try {
      // Disconnected: fail now rather than wait (commands are not queued while Redis is away).
      if (this.redis.status !== 'ready')
        throw new Error(`Redis connection is ${this.redis.status}`);
      return await this.withinTimeout(async () => {
        const location =
          this.keyIds.cached(located.keyHash) ?? (await this.keyIds.locationOf(located.keyHash));
        if (location === null) return verdictWithoutKey('NOT_FOUND');
        if (request.expectedKeyId && location.keyId !== request.expectedKeyId) {
          return verdictWithoutKey('NOT_FOUND');
        }
        const reply = await this.runScript(location, located.keyHash, request);
        return verdictFromScript(location.keyId, reply);
      });
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      if (this.config.verification.failOpen) return verdictWithoutKey('VALID');
      this.reportOutage(error);
      throw new GatewayError('UNAVAILABLE', 'key verification is unavailable; retry shortly', {
        reason: 'REDIS_UNAVAILABLE',
      });
    }
  }

  /**
   * Whether the credential is a key this replica has seen before (or a session token it signed):
   * in process, no Redis. An address refused for sending invalid keys may still use these.
   */
  async isKnown(credential: string): Promise<boolean> {
    const located = await this.locate(credential);
    return typeof located === 'object' && this.keyIds.cached(located.keyHash) !== undefined;
  }

  /** The key hash the credential stands for, or why it stands for none. No I/O for keys. */
  private async locate(
    credential: string,
  ): Promise<{ keyHash: string } | Extract<VerificationCode, 'MALFORMED' | 'EXPIRED'>> {
    if (!SessionTokens.looksLikeToken(credential)) return this.locateKey(credential);
    const session = await this.sessions.check(credential);
    return typeof session === 'string' ? session : { keyHash: session.keyHash };
  }

  private locateKey(credential: string): { keyHash: string } | 'MALFORMED' {
    if (typeof parseKey(credential) !== 'object') return 'MALFORMED';
    return { keyHash: hashKey(this.config.pepper, credential) };
  }

  /** One log line per 5 s of outage, with how many verifications it refused: no flood. */
  private reportOutage(error: unknown): void {
    this.refusedSinceReport++;
    const now = Date.now();
    if (now - this.lastOutageReport < 5_000) return;
    this.logger.warn(
      `Redis unavailable for verification (${this.refusedSinceReport} refused since the last report): ${String(error)}`,
    );
    this.lastOutageReport = now;
    this.refusedSinceReport = 0;
  }

  /**
   * The verify script on the key's slot: a key owned by an identity brings its identity's record
   * and shared windows, which carry the same hash tag.
   */
  private runScript({ keyId, tag }: KeyLocation, keyHash: string, request: VerificationRequest) {
    const charges = mergeCharges(request.charges ?? DEFAULT_CHARGE);
    const scopes = request.scopes ?? [];
    const address = request.clientAddress === null ? null : addressHex(request.clientAddress);
    const keys =
      tag === null
        ? [redisKeys.record(keyId), ...charges.map(({ name }) => redisKeys.rateLimit(keyId, name))]
        : [
            redisKeys.record(keyId, tag),
            redisKeys.identity(tag),
            ...charges.flatMap(({ name }) => [
              redisKeys.rateLimit(keyId, name, tag),
              redisKeys.identityRateLimit(tag, name),
            ]),
          ];
    const args = [
      keyHash,
      request.environment ?? '',
      address ?? '',
      String(request.creditCost ?? 1),
      tag === null ? '' : '1',
      String(scopes.length),
      ...scopes,
      ...charges.flatMap(({ name, cost }) => [name, String(cost)]),
    ];
    const command = this.redis[verifyCommand(keys.length)];
    if (command === undefined) throw new GatewayError('VALIDATION_ERROR', 'too many rate limits');
    return command.call(this.redis, ...keys, ...args);
  }

  /**
   * Waits for Redis as long as Redis is answering: a request queued behind a burst is slow, not
   * failed. Only when no answer at all came for `GATEWAY_REDIS_TIMEOUT_MS` (a Redis that is
   * connected but silent) does it give up, and then at most that late.
   */
  private async withinTimeout<T>(work: () => Promise<T>): Promise<T> {
    const timeoutMs = this.config.verification.redisTimeoutMs;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      // Judged in the check phase (setImmediate), after the loop has read what Redis sent: a
      // timer that fires late because the loop was busy must not miss answers already waiting.
      const check = (): void => {
        const quietFor = Date.now() - Math.max(this.lastAnswerAt, started);
        if (quietFor >= timeoutMs) reject(new Error(`Redis silent for ${quietFor} ms`));
        else timer = setTimeout(() => setImmediate(check), timeoutMs - quietFor);
      };
      timer = setTimeout(() => setImmediate(check), timeoutMs);
    });
    try {
      const result = await Promise.race([work(), silent]);
      this.lastAnswerAt = Date.now();
      return result;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** One entry per limit name (costs added up), so a limit is judged once per request. */
function mergeCharges(
  charges: ReadonlyArray<{ name?: string | undefined; cost?: number | undefined }>,
): Array<{ name: string; cost: number }> {
  const merged = new Map<string, number>();
  for (const { name = 'default', cost = 1 } of charges) {
    merged.set(name, (merged.get(name) ?? 0) + cost);
  }
  return [...merged].map(([name, cost]) => ({ name, cost }));
}
