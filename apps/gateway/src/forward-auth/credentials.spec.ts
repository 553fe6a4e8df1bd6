import { canonicalPath, originalRequest, presentedCredential } from './credentials';

describe('presented credential', () => {
  it.each([
    [{ authorization: 'Bearer kw_live_x' }, 'kw_live_x', null],
    [{ authorization: 'bearer   kw_live_x' }, 'kw_live_x', null],
    [{ authorization: 'kw_live_x' }, 'kw_live_x', null],
    [{ 'x-api-key': 'kw_live_x' }, 'kw_live_x', null],
    [{ 'x-api-key': 'key_1', 'x-api-secret': 'kw_live_x' }, 'kw_live_x', 'key_1'],
    [{ authorization: 'Bearer kw_live_a', 'x-api-key': 'kw_live_b' }, 'kw_live_a', null],
  ])('reads %j', (headers, credential, claimedKeyId) => {
    expect(presentedCredential(headers)).toEqual({ credential, claimedKeyId });
  });

  it.each([
    {},
    { authorization: 'Basic dXNlcjpwYXNz' },
    { authorization: '' },
    { 'x-api-key': ' ' },
  ])('finds none in %j', (headers) => expect(presentedCredential(headers)).toBeNull());
});

describe('original request', () => {
  it('prefers X-Forwarded-* then X-Original-*, and drops the query', () => {
    const fallback = { method: 'GET', path: '/' };
    expect(
      originalRequest({ 'x-forwarded-method': 'post', 'x-forwarded-uri': '/a?b=c' }, fallback),
    ).toEqual({ method: 'POST', path: '/a' });
    expect(
      originalRequest({ 'x-original-method': 'DELETE', 'x-original-uri': '/z' }, fallback),
    ).toEqual({ method: 'DELETE', path: '/z' });
    expect(originalRequest({ 'x-original-url': 'https://api.example/v2/x?y=1' }, fallback)).toEqual(
      { method: 'GET', path: '/v2/x' },
    );
    expect(originalRequest({}, { method: 'PUT', path: '/envoy/path' })).toEqual({
      method: 'PUT',
      path: '/envoy/path',
    });
  });

  it('judges the path every router agrees on: unreserved escapes decoded, others kept', () => {
    expect(canonicalPath('/%61dmin/us%65rs')).toBe('/admin/users');
    expect(canonicalPath('/files/a%20b%3f')).toBe('/files/a%20b%3F');
    expect(canonicalPath('/.well-known/x?y=/../z')).toBe('/.well-known/x');
    expect(canonicalPath('relative')).toBe('/relative');
    expect(canonicalPath('/')).toBe('/');
  });

  it.each([
    '/public/../admin',
    '/public/%2e%2e/admin',
    '/admin/.%2E/public/x',
    '/a/./b',
    '/a/..',
    '//evil.example/admin',
    '/public%2F..%2Fadmin',
    '/public%2f..%2fadmin',
    '/public\\..\\admin',
    '/a%5Cb',
    '/a%00b',
  ])('refuses %s as ambiguous (upstreams read it differently)', (path) => {
    expect(canonicalPath(path)).toBeNull();
  });

  it('reads ingress-nginx X-Original-URL as written, dot segments included', () => {
    expect(
      originalRequest(
        { 'x-original-url': 'https://api.example/admin/../public' },
        { method: 'GET', path: '/' },
      ),
    ).toEqual({ method: 'GET', path: null });
  });
});
