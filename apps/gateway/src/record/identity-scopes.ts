/** A key owned by an identity with exactly these scopes inherits all of the identity's. */
export const INHERIT_ALL = '*';

/**
 * Pure: whether held scopes grant `scope`, as the verify script judges it: held literally, or
 * `resource:*` held for `resource:action`; a bare `*` grants everything only where `bare` says
 * (a key owned by an identity, which the identity's own scopes cap).
 */
export function grants(held: readonly string[], scope: string, bare = false): boolean {
  if (held.includes(scope) || (bare && held.includes(INHERIT_ALL))) return true;
  const colon = scope.lastIndexOf(':');
  return colon >= 0 && held.includes(`${scope.slice(0, colon)}:*`);
}

/**
 * Pure: what a key owned by an identity may do now, as verification answers it (`scopes`,
 * `X-Keyway-Scopes`). A key of `["*"]` has the identity's scopes. Otherwise: the key's scopes
 * that the identity grants, then the identity's scopes that the key grants through a wildcard
 * (key `orders:*` under identity `orders:read` → `orders:read`). Each listed scope passes the
 * script's check, and every scope that passes it is listed or covered by a listed wildcard.
 */
export function effectiveScopes(
  keyScopes: readonly string[],
  identityScopes: readonly string[],
): string[] {
  if (keyScopes.includes(INHERIT_ALL)) return [...identityScopes];
  const effective = keyScopes.filter((scope) => grants(identityScopes, scope));
  for (const scope of identityScopes) {
    if (!effective.includes(scope) && grants(keyScopes, scope)) effective.push(scope);
  }
  return effective;
}
