import { match } from 'path-to-regexp';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { KeyEnvironment, RateLimitCharge, ScopeName } from '@keyway/contracts';

/** The methods a route without `methods` covers; any other must be named by a route. */
const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const RouteRule = z.strictObject({
  path: z
    .string()
    .startsWith('/')
    .meta({ description: 'path-to-regexp pattern: `/companies/:id`, `/files/*rest`, `{/*rest}`' }),
  methods: z
    .array(z.string().regex(/^[A-Z][A-Z-]{0,31}$/, 'an upper-case HTTP method'))
    .min(1)
    .optional()
    .meta({ description: '`GET` covers `HEAD` too. Default: the standard methods.' }),
  /** No key needed (health checks, public pages). */
  public: z.boolean().default(false),
  scopes: z.array(ScopeName).default([]),
  environment: KeyEnvironment.optional(),
  ratelimit: z.array(RateLimitCharge).optional(),
  credits: z.int().min(0).optional(),
});

/** The route policy file (YAML or JSON), see docs/api/gateway.md "Route policy". */
export const RoutePolicyFile = z.strictObject({
  routes: z.array(RouteRule).default([]),
  /** What a request no route matches gets: refused (403), or any valid key. */
  unmatched: z.enum(['deny', 'authenticate']).default('deny'),
});

/** What a matched request requires of its key. */
export interface RouteRequirement {
  readonly route: string;
  readonly public: boolean;
  readonly scopes: readonly string[];
  readonly environment?: 'live' | 'test';
  /** Undefined: the key's `default` limit, cost 1. */
  readonly charges?: ReadonlyArray<{ name?: string | undefined; cost?: number | undefined }>;
  readonly creditCost?: number;
}

export interface RoutePolicy {
  /** The requirement for a request, or null when the policy refuses it outright. */
  requirementFor(method: string, path: string): RouteRequirement | null;
  readonly routeCount: number;
}

/** The policy when no file is configured: any valid key, its default limit. */
export const AUTHENTICATE_ANY: RoutePolicy = {
  requirementFor: () => ({ route: '*', public: false, scopes: [] }),
  routeCount: 0,
};

export class RoutePolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoutePolicyError';
  }
}

/** Pure: parses, validates and compiles a policy file's text. First matching route wins. */
export function compileRoutePolicy(text: string): RoutePolicy {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new RoutePolicyError(`not YAML or JSON: ${(error as Error).message}`);
  }
  const parsed = RoutePolicyFile.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new RoutePolicyError(problems.join('; '));
  }
  const routes = parsed.data.routes.map((rule, index) => {
    let matches: (path: string) => unknown;
    try {
      // Case-sensitive like the routers behind it; the path comes canonical (credentials.ts).
      matches = match(rule.path, { decode: false, sensitive: true });
    } catch (error) {
      throw new RoutePolicyError(`routes.${index}.path: ${(error as Error).message}`);
    }
    const requirement: RouteRequirement = {
      route: rule.path,
      public: rule.public,
      scopes: rule.scopes,
      ...(rule.environment ? { environment: rule.environment } : {}),
      ...(rule.ratelimit ? { charges: rule.ratelimit } : {}),
      ...(rule.credits !== undefined ? { creditCost: rule.credits } : {}),
    };
    // A HEAD is a GET without its body: a rule for GET must decide HEAD as well.
    const methods = rule.methods
      ? new Set<string>(
          rule.methods.flatMap((method) => (method === 'GET' ? ['GET', 'HEAD'] : [method])),
        )
      : STANDARD_METHODS;
    return { methods, matches, requirement };
  });
  const fallback = parsed.data.unmatched === 'authenticate' ? AUTHENTICATE_ANY : null;
  return {
    routeCount: routes.length,
    requirementFor(method, path) {
      for (const route of routes) {
        if (!route.methods.has(method)) continue;
        if (route.matches(path) !== false) return route.requirement;
      }
      if (!STANDARD_METHODS.has(method)) return null;
      return fallback?.requirementFor(method, path) ?? null;
    },
  };
}
