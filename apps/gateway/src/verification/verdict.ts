import {
  type RateLimitState,
  type VerificationCode,
  type VerifyKeyResponse,
} from '@keyway/contracts';
import { effectiveScopes } from '../record/identity-scopes';
import { roleAllows } from '../record/role-caps';

/** A verification's outcome, with what the gateway answers and reports from it. */
export interface Verdict {
  readonly response: VerifyKeyResponse;
  /** Redis's clock at the check, in ms: rate-limit headers count from it. */
  readonly nowMs: number;
}

const EMPTY: Omit<VerifyKeyResponse, 'code' | 'valid'> = {
  keyId: null,
  workspaceId: null,
  environment: null,
  scopes: [],
  ownerId: null,
  metadata: null,
  expiresAt: null,
  ratelimit: null,
  ratelimits: [],
  credits: null,
};

export function verdictWithoutKey(code: VerificationCode, nowMs = Date.now()): Verdict {
  return { response: { ...EMPTY, valid: code === 'VALID', code }, nowMs };
}

/** Pure: the verify script's reply (see verify.script.ts) as a verdict about `keyId`. */
export function verdictFromScript(keyId: string, reply: unknown[]): Verdict {
  const code = String(reply[0]) as VerificationCode;
  const nowMs = Number(reply[1]);
  if (reply.length <= 2) return verdictWithoutKey(code, nowMs);
  const [
    ,
    ,
    workspaceId,
    environment,
    owner,
    cap,
    scopesJson,
    metadataJson,
    expiresMs,
    credits,
    identityScopesJson,
  ] = reply.map(String);
  const windowCount = Number(reply[11]);
  const windows: RateLimitState[] = [];
  for (let i = 0; i < windowCount; i++) {
    const at = 12 + i * 7;
    const resetMs = Number(reply[at + 4]);
    windows.push({
      name: String(reply[at]),
      limit: Number(reply[at + 1]),
      window: Number(reply[at + 2]),
      remaining: Number(reply[at + 3]),
      // -1: the cost exceeds the limit itself, so no wait will do; a full window is the answer.
      resetAt: new Date(resetMs < 0 ? nowMs + Number(reply[at + 2]) : resetMs).toISOString(),
      passed: Number(reply[at + 5]) === 1,
    });
  }
  const ratelimits = bindingPerName(windows);
  const keyScopes = JSON.parse(scopesJson ?? '[]') as string[];
  const scopes = identityScopesJson
    ? effectiveScopes(keyScopes, JSON.parse(identityScopesJson) as string[])
    : keyScopes.filter(
        (scope) => !scope.startsWith('keyway:') || cap === '' || roleAllows(cap ?? '', scope),
      );
  const binding = ratelimits.find((limit) => !limit.passed) ?? leastRemaining(ratelimits);
  return {
    nowMs,
    response: {
      valid: code === 'VALID',
      code,
      keyId,
      workspaceId: workspaceId || null,
      environment: environment === 'live' || environment === 'test' ? environment : null,
      scopes,
      ownerId: owner || null,
      metadata: JSON.parse(metadataJson || '{}') as Record<string, never>,
      expiresAt: expiresMs ? new Date(Number(expiresMs)).toISOString() : null,
      ratelimit: binding ?? null,
      ratelimits,
      credits: credits === '' || credits === undefined ? null : { remaining: Number(credits) },
    },
  };
}

/**
 * Pure: one state per limit name. A key owned by an identity has up to two windows per name (its
 * own and the identity's shared one); the binding one is reported: of those that refused, the
 * one that frees up last (nothing passes before it does), else the one with the least left.
 */
export function bindingPerName(windows: readonly RateLimitState[]): RateLimitState[] {
  const byName = new Map<string, RateLimitState>();
  for (const window of windows) {
    const other = byName.get(window.name);
    byName.set(window.name, other === undefined ? window : moreBinding(other, window));
  }
  return [...byName.values()];
}

function moreBinding(a: RateLimitState, b: RateLimitState): RateLimitState {
  if (a.passed !== b.passed) return a.passed ? b : a;
  if (!a.passed) return Date.parse(b.resetAt) > Date.parse(a.resetAt) ? b : a;
  if (a.remaining !== b.remaining) return a.remaining < b.remaining ? a : b;
  return Date.parse(b.resetAt) > Date.parse(a.resetAt) ? b : a;
}

function leastRemaining(limits: readonly RateLimitState[]): RateLimitState | undefined {
  return limits.reduce<RateLimitState | undefined>(
    (least, limit) => (least === undefined || limit.remaining < least.remaining ? limit : least),
    undefined,
  );
}
