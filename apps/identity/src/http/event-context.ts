import { type FastifyRequest } from 'fastify';
import { type Principal } from '../auth/principal';
import { type EventContext } from '../event-store/event-store';

/** Who and where a change comes from, for the event's actor attributes. */
export function eventContext(principal: Principal, request: FastifyRequest): EventContext {
  const userAgent = request.headers['user-agent'];
  const requestId = (request.raw as { id?: unknown }).id;
  return {
    actor: `key:${principal.keyId}`,
    actorIp: request.ip,
    actorUserAgent:
      typeof userAgent === 'string' && userAgent.length > 0 ? userAgent.slice(0, 1024) : undefined,
    correlationId: typeof requestId === 'string' ? requestId : undefined,
  };
}
