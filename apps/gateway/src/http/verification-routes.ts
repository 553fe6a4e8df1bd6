import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  CreateSessionRequest,
  SCOPE_GRAMMAR,
  VerifyKeyRequest,
  type GatewayErrorBody,
  type SessionResponse,
  type VerificationCode,
} from '@keyway/contracts';
import { InvalidKeyLimiter } from '../abuse/invalid-key-limiter';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { originalRequest, presentedCredential } from '../forward-auth/credentials';
import { RoutePolicySource } from '../forward-auth/route-policy.source';
import { SessionTokens } from '../sessions/session-tokens';
import { UsageRecorder } from '../usage/usage-recorder';
import { type Verdict, verdictWithoutKey } from '../verification/verdict';
import {
  type VerificationRequest,
  VerificationService,
} from '../verification/verification.service';
import { DENIAL_MESSAGES, denialStatus } from './denial-status';
import { GatewayError } from '../gateway-error';
import { statusOf } from './gateway-error-status';
import { rateLimitHeaders } from './rate-limit-headers';

const ANY_METHOD = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const INVALID: ReadonlySet<VerificationCode> = new Set(['MALFORMED', 'NOT_FOUND']);

/**
 * The verification routes (`POST /v1/verify`, any method on `/v1/authorize`, `POST /v1/sessions`),
 * registered on Fastify directly rather than through Nest's pipeline: they are the hot path
 * (docs/benchmarks.md). Errors become the SPEC's JSON body here, through `statusOf`.
 */
@Injectable()
export class VerificationRoutes {
  private readonly logger = new Logger(VerificationRoutes.name);
  private proxyWarned = false;

  constructor(
    private readonly verification: VerificationService,
    private readonly sessions: SessionTokens,
    private readonly policy: RoutePolicySource,
    private readonly abuse: InvalidKeyLimiter,
    private readonly usage: UsageRecorder,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  register(fastify: FastifyInstance): void {
    void fastify.register(async (scope) => {
      scope.setErrorHandler((error: FastifyError, request, reply) =>
        this.fail(error, request, reply),
      );
      scope.post('/v1/verify', (request, reply) => this.verify(request, reply));
      scope.post('/v1/sessions', (request, reply) => this.createSession(request, reply));
    });
    void fastify.register(async (scope) => {
      scope.setErrorHandler((error: FastifyError, request, reply) =>
        this.fail(error, request, reply),
      );
      // An ingress forwards no body worth reading: whatever comes is drained unparsed.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, payload, done) => {
        payload.resume();
        payload.on('end', () => done(null));
      });
      const handler = (request: FastifyRequest, reply: FastifyReply) =>
        this.authorize(request, reply);
      scope.route({ method: [...ANY_METHOD], url: '/v1/authorize', handler });
      // Envoy's ext_authz (HTTP) appends the original path to the service's path prefix.
      scope.route({ method: [...ANY_METHOD], url: '/v1/authorize/*', handler });
    });
  }

  private async verify(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const parsed = VerifyKeyRequest.safeParse(request.body);
    if (!parsed.success) throw validationError(parsed.error.issues);
    const body = parsed.data;
    const address = body.clientAddress ?? request.ip;
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
    void reply
      .headers(rateLimitHeaders(response.ratelimits, response.ratelimit, verdict.nowMs, false))
      .send(response);
  }

  private async authorize(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const address = request.ip;
    this.warnOfUntrustedProxy(request);
    // Envoy's ext_authz: the original path follows /v1/authorize, as sent (not Fastify's decoded
    // parameter: decoding twice would turn `%252e` into `..`).
    const suffix = request.url.startsWith('/v1/authorize/')
      ? request.url.slice('/v1/authorize'.length)
      : undefined;
    const original = originalRequest(request.headers, {
      method: request.method,
      path: suffix ?? '/',
    });
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
    if (requirement.public) {
      void reply.code(200).send();
      return;
    }
    const presented = presentedCredential(request.headers);
    await this.refuseAbusive(address, presented?.credential);
    if (presented === null) {
      throw new GatewayError(
        'UNAUTHENTICATED',
        'no key: send Authorization: Bearer <key> or X-Api-Key',
      );
    }
    let verdict = await this.check(address, {
      credential: presented.credential,
      environment: requirement.environment,
      scopes: requirement.scopes,
      charges: requirement.charges,
      creditCost: requirement.creditCost,
      clientAddress: address,
      expectedKeyId: presented.claimedKeyId,
    });
    if (presented.claimedKeyId !== null && verdict.response.keyId !== presented.claimedKeyId) {
      verdict = verdictWithoutKey('NOT_FOUND', verdict.nowMs); // a session naming another key
    }
    const { response } = verdict;
    const denied = response.code !== 'VALID';
    void reply.headers(
      rateLimitHeaders(
        response.ratelimits,
        response.ratelimit,
        verdict.nowMs,
        response.code === 'RATE_LIMITED',
      ),
    );
    if (response.code === 'VALID') {
      void reply
        .code(200)
        .headers({
          'x-keyway-key-id': response.keyId ?? '',
          'x-keyway-workspace-id': response.workspaceId ?? '',
          'x-keyway-environment': response.environment ?? '',
          'x-keyway-scopes': response.scopes.filter((scope) => SCOPE_GRAMMAR.test(scope)).join(' '),
        })
        .send();
      return;
    }
    if (denied) this.deny(request, reply, response.code);
  }

  private async createSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const parsed = CreateSessionRequest.safeParse(request.body);
    if (!parsed.success) throw validationError(parsed.error.issues);
    const address = request.ip;
    await this.refuseAbusive(address, parsed.data.key);
    const credential = SessionTokens.looksLikeToken(parsed.data.key) ? '' : parsed.data.key;
    const verdict = await this.check(address, {
      credential,
      charges: [],
      creditCost: 0,
      clientAddress: address,
    });
    const { response } = verdict;
    if (response.code !== 'VALID' || response.keyId === null || response.workspaceId === null) {
      this.deny(request, reply, response.code === 'VALID' ? 'NOT_FOUND' : response.code);
      return;
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
    void reply.code(201).send(body);
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
  private async refuseAbusive(address: string, credential: string | undefined): Promise<void> {
    const retryAfter = this.abuse.retryAfterSeconds(address);
    if (retryAfter === 0) return;
    if (credential !== undefined && (await this.verification.isKnown(credential))) return;
    throw new GatewayError('TOO_MANY_INVALID_KEYS', 'too many invalid keys from this address', {
      retryAfterSeconds: retryAfter,
    });
  }

  private warnOfUntrustedProxy(request: FastifyRequest): void {
    if (this.proxyWarned || this.config.http.trustProxy !== false) return;
    if (request.headers['x-forwarded-for'] === undefined) return;
    this.proxyWarned = true;
    this.logger.warn(
      'forward-auth requests carry X-Forwarded-For but GATEWAY_TRUSTED_PROXIES is not set: every client behind the proxy shares its address for allowedCidrs and invalid-key limiting',
    );
  }

  private deny(
    request: FastifyRequest,
    reply: FastifyReply,
    code: Exclude<VerificationCode, 'VALID'>,
  ) {
    const body: GatewayErrorBody = { code, message: DENIAL_MESSAGES[code], requestId: request.id };
    void reply.code(denialStatus(code)).header('x-keyway-error-code', code).send(body);
  }

  private fail(error: FastifyError | GatewayError, request: FastifyRequest, reply: FastifyReply) {
    const known = error instanceof GatewayError ? error : fromFastify(error);
    if (known.code === 'INTERNAL_ERROR') {
      this.logger.error(
        `${request.method} ${request.routeOptions.url}: ${String(error.stack ?? error)}`,
      );
    }
    const body: GatewayErrorBody = {
      code: known.code,
      message: known.message,
      ...(known.details ? { details: known.details } : {}),
      requestId: request.id,
    };
    const retryAfter = known.details?.['retryAfterSeconds'];
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    void reply.code(statusOf(known.code)).header('x-keyway-error-code', known.code).send(body);
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

/** Fastify's own refusals (body parsing, size, media type) in the gateway's vocabulary. */
function fromFastify(error: FastifyError): GatewayError {
  if (error.statusCode === 400) {
    return new GatewayError('VALIDATION_ERROR', 'the request body is not valid JSON');
  }
  if (error.statusCode === 413) {
    return new GatewayError('PAYLOAD_TOO_LARGE', 'the request body is too large');
  }
  if (error.statusCode === 415)
    return new GatewayError('UNSUPPORTED_MEDIA_TYPE', 'send application/json');
  return new GatewayError('INTERNAL_ERROR', 'an unexpected error occurred');
}
