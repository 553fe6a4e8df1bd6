import { type IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CreateSessionRequest,
  SCOPE_GRAMMAR,
  VerifyKeyRequest,
  type SessionResponse,
  type VerificationCode,
} from '@keyway/contracts';
import { InvalidKeyLimiter } from '../abuse/invalid-key-limiter';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { originalRequest, presentedCredential } from '../forward-auth/credentials';
import { RoutePolicySource } from '../forward-auth/route-policy.source';
import { GatewayError } from '../gateway-error';
import { SessionTokens } from '../sessions/session-tokens';
import { UsageRecorder } from '../usage/usage-recorder';
import { type Verdict, verdictWithoutKey } from '../verification/verdict';
import {
  type VerificationRequest,
  VerificationService,
} from '../verification/verification.service';
import { denial, type HttpAnswer } from './http-answer';
import { rateLimitHeaders } from './rate-limit-headers';

const INVALID: ReadonlySet<VerificationCode> = new Set(['MALFORMED', 'NOT_FOUND']);

/** A request as the handlers see it, whichever server parsed it. */
export interface IncomingCall {
  readonly method: string;
  /** The raw URL, as sent (path and query). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The client address: the peer, or what trusted proxies report. */
  readonly ip: string;
  readonly requestId: string;
}

/**
 * What `POST /v1/verify`, forward auth (`/v1/authorize`) and `POST /v1/sessions` do, free of any
 * HTTP framework: they take the request's parts and return status, headers and body. Errors are
 * thrown as `GatewayError` and become answers in the one place that writes them.
 */
@Injectable()
export class VerificationHandlers {
  private readonly logger = new Logger(VerificationHandlers.name);
  private proxyWarned = false;

  constructor(
    private readonly verification: VerificationService,
    private readonly sessions: SessionTokens,
    private readonly policy: RoutePolicySource,
    private readonly abuse: InvalidKeyLimiter,
    private readonly usage: UsageRecorder,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async verify(call: IncomingCall, json: unknown): Promise<HttpAnswer> {
    const parsed = VerifyKeyRequest.safeParse(json);
    if (!parsed.success) throw validationError(parsed.error.issues);
    const body = parsed.data;
    const address = body.clientAddress ?? call.ip;
    await this.refuseAbusive(address, body.key);
    const verdict = await this.check(address, {
      credential: body.key,
      environment: body.environment,
      scopes: body.scopes,
      charges: body.ratelimit === undefined ? undefined : [body.ratelimit].flat(),
      creditCost: body.credits?.cost,
      clientAddress: address,
    });
    const { response } = verdict;
    return {
      status: 200,
      headers: rateLimitHeaders(response.ratelimits, response.ratelimit, verdict.nowMs, false),
      body: response,
    };
  }

  async authorize(call: IncomingCall): Promise<HttpAnswer> {
    this.warnOfUntrustedProxy(call.headers);
    // Envoy's ext_authz: the original path follows /v1/authorize, as sent (raw: decoding it here
    // and again when judging would turn `%252e` into `..`).
    const suffix = call.url.startsWith('/v1/authorize/')
      ? call.url.slice('/v1/authorize'.length)
      : undefined;
    const original = originalRequest(call.headers, { method: call.method, path: suffix ?? '/' });
    if (original.path === null) {
      throw new GatewayError('FORBIDDEN', 'the path is ambiguous (dot segments, encoded slashes)', {
        reason: 'AMBIGUOUS_PATH',
      });
    }
    const requirement = this.policy.current.requirementFor(original.method, original.path);
    if (requirement === null) {
      throw new GatewayError('FORBIDDEN', 'no route of the policy allows this request', {
        reason: 'ROUTE_NOT_ALLOWED',
      });
    }
    if (requirement.public) return { status: 200, headers: {} };
    const presented = presentedCredential(call.headers);
    await this.refuseAbusive(call.ip, presented?.credential);
    if (presented === null) {
      throw new GatewayError(
        'UNAUTHENTICATED',
        'no key: send Authorization: Bearer <key> or X-Api-Key',
      );
    }
    let verdict = await this.check(call.ip, {
      credential: presented.credential,
      environment: requirement.environment,
      scopes: requirement.scopes,
      charges: requirement.charges,
      creditCost: requirement.creditCost,
      clientAddress: call.ip,
      expectedKeyId: presented.claimedKeyId,
    });
    if (presented.claimedKeyId !== null && verdict.response.keyId !== presented.claimedKeyId) {
      verdict = verdictWithoutKey('NOT_FOUND', verdict.nowMs); // a session naming another key
    }
    const { response } = verdict;
    const limits = rateLimitHeaders(
      response.ratelimits,
      response.ratelimit,
      verdict.nowMs,
      response.code === 'RATE_LIMITED',
    );
    if (response.code !== 'VALID') return denial(response.code, call.requestId, limits);
    return {
      status: 200,
      headers: {
        ...limits,
        'x-keyway-key-id': response.keyId ?? '',
        'x-keyway-workspace-id': response.workspaceId ?? '',
        'x-keyway-environment': response.environment ?? '',
        'x-keyway-scopes': response.scopes.filter((scope) => SCOPE_GRAMMAR.test(scope)).join(' '),
      },
    };
  }

  async createSession(call: IncomingCall, json: unknown): Promise<HttpAnswer> {
    const parsed = CreateSessionRequest.safeParse(json);
    if (!parsed.success) throw validationError(parsed.error.issues);
    await this.refuseAbusive(call.ip, parsed.data.key);
    // Only a key is exchanged, never a session for another session.
    const credential = SessionTokens.looksLikeToken(parsed.data.key) ? '' : parsed.data.key;
    const verdict = await this.check(call.ip, {
      credential,
      charges: [],
      creditCost: 0,
      clientAddress: call.ip,
    });
    const { response } = verdict;
    if (response.code !== 'VALID' || response.keyId === null || response.workspaceId === null) {
      return denial(response.code === 'VALID' ? 'NOT_FOUND' : response.code, call.requestId);
    }
    const ttlEnd = verdict.nowMs + parsed.data.ttlSeconds * 1000;
    const keyEnd = response.expiresAt === null ? Infinity : Date.parse(response.expiresAt);
    const expiresAt = new Date(Math.min(ttlEnd, keyEnd));
    const keyHash = this.verification.hashOf(credential);
    const token = await this.sessions.issue({ keyId: response.keyId, keyHash }, expiresAt);
    const body: SessionResponse = {
      token,
      expiresAt: expiresAt.toISOString(),
      keyId: response.keyId,
      workspaceId: response.workspaceId,
    };
    return { status: 201, headers: {}, body };
  }

  /** Verifies, then counts the outcome for usage events and for the invalid-key limiter. */
  private async check(address: string, request: VerificationRequest): Promise<Verdict> {
    const verdict = await this.verification.verify(request);
    const { keyId, workspaceId, code } = verdict.response;
    this.usage.record(keyId, workspaceId, code, address);
    if (INVALID.has(code)) this.abuse.recordFailure(address);
    return verdict;
  }

  /**
   * An address that sent too many invalid keys is refused before any Redis command, except for
   * keys this replica already knows: one client guessing must not lock out every other client
   * behind the same proxy address.
   */
  private refuseAbusive(address: string, credential: string | undefined): Promise<void> | void {
    const retryAfter = this.abuse.retryAfterSeconds(address);
    if (retryAfter === 0) return; // the common case, without a promise
    return this.refuseUnlessKnown(retryAfter, credential);
  }

  private async refuseUnlessKnown(retryAfter: number, credential: string | undefined) {
    if (credential !== undefined && (await this.verification.isKnown(credential))) return;
    throw new GatewayError('TOO_MANY_INVALID_KEYS', 'too many invalid keys from this address', {
      retryAfterSeconds: retryAfter,
    });
  }

  private warnOfUntrustedProxy(headers: IncomingHttpHeaders): void {
    if (this.proxyWarned || this.config.http.trustProxy !== false) return;
    if (headers['x-forwarded-for'] === undefined) return;
    this.proxyWarned = true;
    this.logger.warn(
      'forward-auth requests carry X-Forwarded-For but GATEWAY_TRUSTED_PROXIES is not set: every client behind the proxy shares its address for allowedCidrs and invalid-key limiting',
    );
  }
}

function validationError(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
): GatewayError {
  return new GatewayError('VALIDATION_ERROR', 'the request body is invalid', {
    issues: issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    })),
  });
}
