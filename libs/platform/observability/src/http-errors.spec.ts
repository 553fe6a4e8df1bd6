import { PassThrough } from 'node:stream';
import { ServiceUnavailableException } from '@nestjs/common';
import { fastify, type FastifyInstance } from 'fastify';
import {
  answerClientError,
  answerFrameworkError,
  frameworkRefusal,
  sendRefusal,
  unmatchedRouteRefusal,
} from './http-errors';

/** A Fastify app as startHttpService builds one, its 404s answered by `unmatchedRouteRefusal`. */
async function app(): Promise<FastifyInstance> {
  const server = fastify({ frameworkErrors: answerFrameworkError });
  server.removeContentTypeParser('text/plain');
  server.get('/v1/keys', async () => ({}));
  server.post('/v1/keys', async () => ({}));
  server.delete('/v1/keys/:id', async () => ({}));
  server.setNotFoundHandler((request, reply) => {
    const refusal = unmatchedRouteRefusal(request);
    if (refusal) sendRefusal(reply, refusal, request.id);
  });
  server.setErrorHandler((error, request, reply) => {
    const refusal = frameworkRefusal(error);
    if (refusal) sendRefusal(reply, refusal, request.id);
  });
  await server.ready();
  return server;
}

describe('the HTTP layer refuses in the SPEC shape', () => {
  it('answers 405 with the methods the router has for the path, 404 when it has none', async () => {
    const server = await app();
    const wrong = await server.inject({ method: 'PUT', url: '/v1/keys?access_token=kw_secret' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers['allow']).toBe('GET, HEAD, POST');
    expect(wrong.json()).toMatchObject({
      code: 'METHOD_NOT_ALLOWED',
      details: { allow: 'GET, HEAD, POST' },
    });
    expect((await server.inject({ method: 'GET', url: '/v1/keys/key_1' })).headers['allow']).toBe(
      'DELETE',
    );
    const unknown = await server.inject({
      method: 'GET',
      url: '/v1/nothing?access_token=kw_secret',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).not.toMatch(/kw_secret|nothing/);
  });

  it('answers text/plain with 415, broken JSON with 400 and an undecodable URL with 400', async () => {
    const server = await app();
    const post = (payload: string, type: string) =>
      server.inject({
        method: 'POST',
        url: '/v1/keys',
        payload,
        headers: { 'content-type': type },
      });
    expect((await post('x', 'text/plain')).json()).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    expect((await post('{', 'application/json')).json()).toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    const bad = await server.inject({ method: 'GET', url: '/v1/%zz?access_token=kw_secret' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'VALIDATION_ERROR',
      requestId: bad.headers['x-request-id'],
    });
    expect(bad.body).not.toMatch(/kw_secret|%zz/);
  });

  it.each([
    ['HPE_HEADER_OVERFLOW', 431, 'HEADERS_TOO_LARGE'],
    ['HPE_INVALID_HEADER_TOKEN', 400, 'VALIDATION_ERROR'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT'],
  ])('writes a JSON answer to a client error %s on the socket (%i %s)', (code, status, name) => {
    const socket = new PassThrough();
    let written = '';
    socket.on('data', (chunk: Buffer) => (written += chunk.toString()));
    answerClientError(Object.assign(new Error('parse'), { code }), socket);
    const [head = '', body = ''] = written.split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    const requestId = /x-request-id: (\S+)/i.exec(head)?.[1];
    expect(JSON.parse(body)).toEqual({
      code: name,
      message: expect.any(String),
      details: {},
      requestId,
    });
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(socket.destroyed).toBe(true);
  });

  it('names the failed checks of a readiness 503, without their messages', () => {
    const unready = new ServiceUnavailableException({
      status: 'error',
      info: { postgres: { status: 'up' } },
      error: { redis: { status: 'down', message: 'connect ECONNREFUSED 10.0.0.7:6379' } },
      details: {},
    });
    expect(frameworkRefusal(unready)).toMatchObject({
      status: 503,
      code: 'UNAVAILABLE',
      details: { down: ['redis'] },
    });
    expect(JSON.stringify(frameworkRefusal(unready))).not.toContain('10.0.0.7');
    expect(frameworkRefusal(new ServiceUnavailableException())?.details).toEqual({});
  });
});
