import { randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';
import { type Params } from 'nestjs-pino';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Paths the logger blanks wherever they occur: credentials in headers and any field that could
 * carry a key. Redaction is the logger's job, so a careless log line cannot leak a secret.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-api-secret"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'key',
  'secret',
  'pepper',
  '*.key',
  '*.secret',
  '*.pepper',
  '*.password',
];

/** Anything shaped like a Keyway key (`{prefix}_{live|test}_{body}`), even cut short. */
const KEY_LIKE = /[a-z]{2,12}_(?:live|test)_[0-9A-Za-z]{8,}/g;

/** A request path as it may be logged: every key-shaped segment part blanked. */
export function redactKeysInPath(path: string): string {
  return path.replace(KEY_LIKE, '[redacted]');
}

/** The request id: the caller's `X-Request-Id` when well-formed, a new UUID otherwise. */
export function requestIdOf(req: { headers: IncomingHttpHeaders }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export function loggerParams(service: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { service },
      messageKey: 'msg',
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Fastify assigns the id (see startHttpService); pino-http reuses it.
      genReqId: (req) => (req as { id?: string }).id ?? requestIdOf(req),
      formatters: { level: (label) => ({ level: label }) },
      autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          // The path only: a query string may carry anything, a mistaken credential included;
          // and a key a careless client put in the path (`GET /v1/keys/kw_live_…`) is blanked.
          url: redactKeysInPath(req.url.split('?')[0] ?? ''),
        }),
      },
    },
  };
}
