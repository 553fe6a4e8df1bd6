import { connect } from 'node:net';
import { type CreateKeyRequest, ERROR_STATUS, type ErrorCode } from '@keyway/contracts';
import { rawRequest, type RawReply } from '@keyway/platform-testing';
import { type ServiceName } from './support/service-process';
import { Stack } from './support/stack';

/**
 * SPEC "Errors" from outside, for every service: whatever the request (no such route, a wrong
 * method, headers node:http refuses, a URL that does not decode, a body that is not JSON), the
 * answer is `{ code, message, details?, requestId }` with the request id also in `X-Request-Id`,
 * and it never echoes the URL, its query, or a key sent there.
 */
const SECRET = 'kw_live_QueryStringSecretNeverEchoed0000000000';

/** Sends bytes as they are (node's client refuses malformed headers) and reads the answer. */
function rawBytes(url: string, bytes: string): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const at = line.indexOf(':');
        headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

interface Case {
  readonly what: string;
  readonly send: (base: string) => Promise<RawReply>;
  readonly status: number;
  readonly code: ErrorCode;
  readonly allow?: string;
  readonly challenge?: boolean;
}

const get =
  (path: string, headers: Record<string, string> = {}) =>
  (base: string) =>
    rawRequest(`${base}${path}`, { headers });
const send =
  (method: string, path: string, body: string, contentType = 'application/json') =>
  (base: string) =>
    rawRequest(`${base}${path}`, { method, headers: { 'content-type': contentType }, body });

/** What every service answers the same way. */
const everywhere: Case[] = [
  {
    what: 'an unknown route, a key in its query',
    send: get(`/v1/nothing?access_token=${SECRET}`),
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    what: 'a URL that does not decode',
    send: get(`/v1/%zz?access_token=${SECRET}`),
    status: 400,
    code: 'VALIDATION_ERROR',
  },
  {
    what: 'headers over the limit (node:http refuses them before any framework)',
    send: get(`/health/live?access_token=${SECRET}`, { 'x-padding': 'a'.repeat(20_000) }),
    status: 431,
    code: 'HEADERS_TOO_LARGE',
  },
  {
    what: 'a malformed header line',
    send: (base) =>
      rawBytes(
        base,
        `GET /health/live?access_token=${SECRET} HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n`,
      ),
    status: 400,
    code: 'VALIDATION_ERROR',
  },
  {
    what: 'bytes that are not HTTP',
    send: (base) => rawBytes(base, `\u0001\u0002 ${SECRET}\r\n\r\n`),
    status: 400,
    code: 'VALIDATION_ERROR',
  },
  {
    what: 'a wrong method on /health/live',
    send: send('DELETE', `/health/live?access_token=${SECRET}`, ''),
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
    allow: 'GET, HEAD',
  },
];

const perService: Record<ServiceName, Case[]> = {
  identity: [
    {
      what: 'a wrong method on /v1/keys',
      send: send('PUT', `/v1/keys?access_token=${SECRET}`, '{}'),
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      allow: 'GET, HEAD, POST',
    },
    {
      what: 'a wrong method on /v1/keys/{id}',
      send: send('POST', `/v1/keys/key_x?access_token=${SECRET}`, '{}'),
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      allow: 'GET, HEAD, PATCH, DELETE',
    },
    {
      what: 'a text/plain body',
      send: send('POST', '/v1/keys', 'name=x', 'text/plain'),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      what: 'a body that is not JSON',
      send: send('POST', '/v1/keys', '{"name": '),
      status: 400,
      code: 'VALIDATION_ERROR',
    },
    {
      what: 'a body over 64 KiB',
      send: send(
        'POST',
        '/v1/keys',
        JSON.stringify({ name: 'x'.repeat(70_000) } satisfies CreateKeyRequest),
      ),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      what: 'no key',
      send: get(`/v1/keys?access_token=${SECRET}`),
      status: 401,
      code: 'UNAUTHENTICATED',
      challenge: true,
    },
  ],
  gateway: [
    {
      what: 'a wrong method on /v1/sessions',
      send: get(`/v1/sessions?access_token=${SECRET}`),
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      allow: 'POST',
    },
    {
      what: 'a wrong method on /v1/verify (the node:http hot path)',
      send: get(`/v1/verify?access_token=${SECRET}`),
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      allow: 'POST',
    },
    {
      what: 'a text/plain body on /v1/sessions',
      send: send('POST', '/v1/sessions', 'key=x', 'text/plain'),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      what: 'a text/plain body on /v1/verify',
      send: send('POST', '/v1/verify', 'key=x', 'text/plain'),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      what: 'a body that is not JSON on /v1/sessions',
      send: send('POST', '/v1/sessions', '{"key": '),
      status: 400,
      code: 'VALIDATION_ERROR',
    },
    {
      what: 'a body over 64 KiB on /v1/sessions',
      send: send('POST', '/v1/sessions', JSON.stringify({ key: 'x'.repeat(70_000) })),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      what: 'forward auth without a key',
      send: get(`/v1/authorize?access_token=${SECRET}`),
      status: 401,
      code: 'UNAUTHENTICATED',
      challenge: true,
    },
  ],
  audit: [
    {
      what: 'a wrong method on /metrics',
      send: send('POST', `/metrics?access_token=${SECRET}`, '{}'),
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      allow: 'GET, HEAD',
    },
  ],
};

describe('one error shape from every service, for every path', () => {
  const stack = new Stack();

  beforeAll(() => stack.start('identity', 'gateway', 'audit'));
  afterAll(() => stack.stop());

  describe.each(['identity', 'gateway', 'audit'] as const)('%s', (service) => {
    it.each([...everywhere, ...perService[service]])(
      '$what → $status $code',
      async ({ send: request, status, code, allow, challenge }) => {
        const reply = await request(stack.service(service).url);
        expect(reply.status).toBe(status);
        expect(reply.headers['content-type']).toMatch(/^application\/json/);
        const body = JSON.parse(reply.body) as Record<string, unknown>;
        expect(body).toEqual({
          code,
          message: expect.any(String),
          requestId: expect.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
          ...(body['details'] === undefined ? {} : { details: expect.any(Object) }),
        });
        expect(ERROR_STATUS[code]).toBe(status);
        expect(reply.headers['x-request-id']).toBe(body['requestId']);
        // Nothing of the request comes back: not the key in the query, not the path.
        expect(reply.body).not.toContain(SECRET);
        expect(reply.body).not.toMatch(/access_token|\/v1\/|\/health|\/metrics|%zz/);
        expect(reply.headers['allow']).toBe(allow);
        if (allow !== undefined) expect(body['details']).toEqual({ allow });
        if (challenge) expect(reply.headers['www-authenticate']).toMatch(/^Bearer\b/);
      },
    );
  });
});
