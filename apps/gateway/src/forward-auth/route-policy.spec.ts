import { compileRoutePolicy, RoutePolicyError } from './route-policy';

const POLICY = `
routes:
  - path: /health
    public: true
  - path: /companies/*rest
    methods: [GET, HEAD]
    scopes: [companies:read]
  - path: /companies/*rest
    methods: [POST, PUT, PATCH, DELETE]
    scopes: [companies:write]
    environment: live
    ratelimit: [{ name: writes, cost: 2 }, { name: default }]
  - path: /users/:id
    scopes: ["users:*"]
    credits: 3
`;

describe('route policy', () => {
  const policy = compileRoutePolicy(POLICY);

  it('takes the first route whose methods and path match', () => {
    expect(policy.requirementFor('GET', '/companies/42/people')).toMatchObject({
      scopes: ['companies:read'],
    });
    expect(policy.requirementFor('DELETE', '/companies/42')).toMatchObject({
      scopes: ['companies:write'],
      environment: 'live',
      charges: [{ name: 'writes', cost: 2 }, { name: 'default' }],
    });
    expect(policy.requirementFor('GET', '/users/7')).toMatchObject({ creditCost: 3 });
    expect(policy.requirementFor('GET', '/health')).toMatchObject({ public: true });
  });

  it('matches case-sensitively, lets GET rules decide HEAD, and other methods only when named', () => {
    expect(policy.requirementFor('GET', '/PUBLIC')).toBeNull();
    expect(policy.requirementFor('HEAD', '/companies/1')).toMatchObject({
      scopes: ['companies:read'],
    });
    expect(policy.requirementFor('PROPFIND', '/users/7')).toBeNull();
    const named = compileRoutePolicy(
      'routes: [{ path: /dav, methods: [PROPFIND], scopes: [dav:read] }]',
    );
    expect(named.requirementFor('PROPFIND', '/dav')).toMatchObject({ scopes: ['dav:read'] });
    const open = compileRoutePolicy('unmatched: authenticate');
    expect(open.requirementFor('PROPFIND', '/x')).toBeNull();
  });

  it('refuses what no route matches unless told to authenticate any key', () => {
    expect(policy.requirementFor('GET', '/admin')).toBeNull();
    expect(policy.requirementFor('GET', '/users/7/extra')).toBeNull();
    const open = compileRoutePolicy('{"routes": [], "unmatched": "authenticate"}');
    expect(open.requirementFor('GET', '/anything')).toMatchObject({ scopes: [], public: false });
  });

  it.each([
    ['not: [valid', /not YAML or JSON/],
    ['routes: [{ path: "no-slash" }]', /routes\.0\.path/],
    ['routes: [{ path: "/a", scopes: ["has space"] }]', /routes\.0\.scopes\.0/],
    ['routes: [{ path: "/a", methods: [get] }]', /routes\.0\.methods\.0/],
    ['routes: [{ path: "/a", surprise: 1 }]', /surprise/],
    ['routes: [{ path: "/a/(" }]', /routes\.0\.path/],
    ['unmatched: allow-all', /unmatched/],
  ])('rejects %j with a message naming the problem', (text, message) => {
    expect(() => compileRoutePolicy(text)).toThrow(RoutePolicyError);
    expect(() => compileRoutePolicy(text)).toThrow(message);
  });
});
