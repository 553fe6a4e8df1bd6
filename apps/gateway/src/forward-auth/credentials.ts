import { type IncomingHttpHeaders } from 'node:http';

/** The credential an ingress forwarded, and the key id it claims when sent as a pair. */
export interface PresentedCredential {
  readonly credential: string;
  /** `X-Api-Key` when it came with `X-Api-Secret`: the key must have this id. */
  readonly claimedKeyId: string | null;
}

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/**
 * Pure: the key from `Authorization: Bearer …`, a bare `Authorization: …`, the pair
 * `X-Api-Key` (key id) + `X-Api-Secret` (key), or `X-Api-Key: …`, in that order.
 */
export function presentedCredential(headers: IncomingHttpHeaders): PresentedCredential | null {
  const authorization = single(headers.authorization)?.trim();
  if (authorization) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (bearer?.[1]) return { credential: bearer[1], claimedKeyId: null };
    if (!/\s/.test(authorization)) return { credential: authorization, claimedKeyId: null };
  }
  const apiKey = single(headers['x-api-key'])?.trim();
  const secret = single(headers['x-api-secret'])?.trim();
  if (secret) return { credential: secret, claimedKeyId: apiKey || null };
  if (apiKey) return { credential: apiKey, claimedKeyId: null };
  return null;
}

/**
 * The original method and path (no query) the ingress asks about: Traefik's `X-Forwarded-*`,
 * nginx's `X-Original-*`, ingress-nginx's `X-Original-URL` (a whole URL), or, for Envoy's
 * ext_authz, the path after `/v1/authorize` with the request's own method.
 */
export function originalRequest(
  headers: IncomingHttpHeaders,
  fallback: { method: string; path: string },
): { method: string; path: string } {
  const method =
    single(headers['x-forwarded-method']) ??
    single(headers['x-original-method']) ??
    fallback.method;
  const uri =
    single(headers['x-forwarded-uri']) ??
    single(headers['x-original-uri']) ??
    pathOfUrl(single(headers['x-original-url'])) ??
    fallback.path;
  return { method: method.toUpperCase(), path: normalizePath(uri) };
}

/**
 * The path as the upstream will see it: query dropped, dot segments resolved (`/a/../admin` is
 * `/admin`, `%2e%2e` included), so a route cannot be reached through a path that merely looks
 * like another.
 */
export function normalizePath(uri: string): string {
  try {
    return new URL(`http://upstream${uri.startsWith('/') ? '' : '/'}${uri}`).pathname;
  } catch {
    return '/';
  }
}

function pathOfUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}
