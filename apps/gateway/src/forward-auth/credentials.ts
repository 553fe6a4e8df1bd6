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
 * ext_authz, the path after `/v1/authorize` with the request's own method. `path` is null when
 * it is ambiguous (see `canonicalPath`).
 */
export function originalRequest(
  headers: IncomingHttpHeaders,
  fallback: { method: string; path: string },
): { method: string; path: string | null } {
  const method =
    single(headers['x-forwarded-method']) ??
    single(headers['x-original-method']) ??
    fallback.method;
  const uri =
    single(headers['x-forwarded-uri']) ??
    single(headers['x-original-uri']) ??
    pathOfUrl(single(headers['x-original-url'])) ??
    fallback.path;
  return { method: method.toUpperCase(), path: canonicalPath(uri) };
}

const UNRESERVED = /%([0-9A-Fa-f]{2})/g;
// eslint-disable-next-line no-control-regex -- control characters are exactly what it refuses
const AMBIGUOUS = /\/\/|\\|%2F|%5C|%00|(?:^|\/)\.\.?(?:\/|$)|[\u0000-\u001f\u007f]/;

/**
 * The path in the one form every upstream router agrees on, or null when upstreams could read it
 * differently (so no route of the policy may judge it). Query dropped; percent-encoded unreserved
 * characters decoded (`/%61dmin` is `/admin` to any router, so to the policy too); other escapes
 * kept, hex upper-cased. Refused as ambiguous: dot segments (`/a/../b`, `%2e` included), encoded
 * slashes or backslashes, `\`, empty segments (`//`) and control characters: some upstreams
 * resolve or split them, others do not, and the policy must judge the path the upstream serves.
 */
export function canonicalPath(uri: string): string | null {
  const path = uri.split(/[?#]/, 1)[0] ?? '';
  const decoded = (path.startsWith('/') ? path : `/${path}`).replace(
    UNRESERVED,
    (escape, hex: string) => {
      const char = String.fromCharCode(parseInt(hex, 16));
      return /[A-Za-z0-9\-._~]/.test(char) ? char : escape.toUpperCase();
    },
  );
  return AMBIGUOUS.test(decoded) ? null : decoded;
}

/** The path and query of an absolute URL exactly as written (no resolving, no decoding). */
function pathOfUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*(.*)$/.exec(url)?.[1] ?? undefined;
}
