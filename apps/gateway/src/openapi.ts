import { type INestApplication } from '@nestjs/common';
import { type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';
import {
  CreateSessionRequest,
  GatewayErrorBody,
  GATEWAY_ERROR_CODES,
  SessionResponse,
  VERIFICATION_CODES,
  VerifyKeyRequest,
  VerifyKeyResponse,
} from '@keyway/contracts';

const schema = (type: z.ZodType, io: 'input' | 'output' = 'output') =>
  z.toJSONSchema(type, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;

const json = (ref: string) => ({
  'application/json': { schema: { $ref: `#/components/schemas/${ref}` } },
});
const error = (description: string) => ({ description, content: json('GatewayErrorBody') });

const rateLimitHeaders = {
  'RateLimit-Policy': {
    description: 'IETF draft: `"default";q=100;w=60` per charged limit',
    schema: { type: 'string' },
  },
  RateLimit: {
    description: 'IETF draft: `"default";r=42;t=17` per charged limit',
    schema: { type: 'string' },
  },
  'RateLimit-Limit': { schema: { type: 'integer' } },
  'RateLimit-Remaining': { schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds', schema: { type: 'integer' } },
};

const authorize = {
  summary: 'Forward auth for an ingress (nginx auth_request, Traefik ForwardAuth, Envoy ext_authz)',
  description:
    'The key comes from `Authorization: Bearer …`, a bare `Authorization`, `X-Api-Key`, or `X-Api-Key` (key id) + `X-Api-Secret`; the original method and path from `X-Forwarded-Method`/`X-Forwarded-Uri` or `X-Original-Method`/`X-Original-URI`; the route policy decides scopes, environment and limits. Any method.',
  tags: ['verification'],
  responses: {
    '200': {
      description: 'Allowed. No body, so ingresses keep their connections alive.',
      headers: {
        'X-Keyway-Key-Id': { schema: { type: 'string' } },
        'X-Keyway-Workspace-Id': { schema: { type: 'string' } },
        'X-Keyway-Environment': { schema: { type: 'string' } },
        'X-Keyway-Scopes': { description: 'Space-separated', schema: { type: 'string' } },
        ...rateLimitHeaders,
      },
    },
    '401': error('No key, or a malformed, unknown, revoked or expired one (code says which)'),
    '403': error('Wrong environment, address, scope, no credits, or no route allows it'),
    '429': error('Rate limited (Retry-After), or too many invalid keys from this address'),
    '503': error('Redis unavailable or the projection catching up (fail closed)'),
  },
};

/** The gateway's OpenAPI document, built from the HTTP contracts in `@keyway/contracts`. */
export function gatewayOpenApi(): OpenAPIObject {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Keyway gateway: verification API',
      version: '1',
      description:
        'Verify keys and session tokens in one Redis round trip, forward auth for ingresses, session tokens. Errors: docs/api/gateway.md.',
    },
    paths: {
      '/v1/verify': {
        post: {
          summary: 'Verify a key or session token',
          description: `\`code\` is one of ${VERIFICATION_CODES.join(', ')}. A refused key is still a 200 (\`valid: false\`).`,
          tags: ['verification'],
          requestBody: { required: true, content: json('VerifyKeyRequest') },
          responses: {
            '200': {
              description: 'The verdict',
              headers: rateLimitHeaders,
              content: json('VerifyKeyResponse'),
            },
            '400': error('Invalid request body'),
            '429': error('Too many invalid keys from this address'),
            '503': error('Redis unavailable or the projection catching up (fail closed)'),
          },
        },
      },
      '/v1/authorize': Object.fromEntries(
        ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'].map((method) => [
          method,
          authorize,
        ]),
      ),
      '/v1/sessions': {
        post: {
          summary: 'Exchange a key for a short-lived session token (≤ 1 h)',
          tags: ['sessions'],
          requestBody: { required: true, content: json('CreateSessionRequest') },
          responses: {
            '201': { description: 'The token', content: json('SessionResponse') },
            '400': error('Invalid request body'),
            '401': error('The key is not valid (code says why)'),
            '403': error('The key may not be used from here'),
          },
        },
      },
    },
    components: {
      schemas: {
        VerifyKeyRequest: schema(VerifyKeyRequest, 'input'),
        VerifyKeyResponse: schema(VerifyKeyResponse),
        CreateSessionRequest: schema(CreateSessionRequest, 'input'),
        SessionResponse: schema(SessionResponse),
        GatewayErrorBody: {
          ...schema(GatewayErrorBody),
          description: `\`code\`: ${[...GATEWAY_ERROR_CODES, ...VERIFICATION_CODES.filter((c) => c !== 'VALID')].join(', ')}`,
        },
      },
    },
  } as OpenAPIObject;
}

/** Serves the document at `/openapi.json` and a browsable reference at `/docs`. */
export function serveGatewayDocs(app: INestApplication): void {
  SwaggerModule.setup('docs', app, gatewayOpenApi(), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
  });
}
