import { type FastifyRequest } from 'fastify';
import { IpAddress } from '@keyway/contracts';
import { type Principal } from '../auth/principal';
import { type EventContext } from '../event-store/event-store';

/** Who and where a change comes from, for the event's actor attributes. */
export function eventContext(principal: Principal, request: FastifyRequest): EventContext {
  const userAgent = request.headers['user-agent'];
  const requestId = (request.raw as { id?: unknown }).id;
  return {
    actor: `key:${principal.keyId}`,
    // An address the event contract cannot carry (an IPv6 zone id, say) is left out, not sent.
    actorIp: IpAddress.safeParse(request.ip).success ? request.ip : undefined,
    actorUserAgent:
      typeof userAgent === 'string' && userAgent.length > 0 ? userAgent.slice(0, 1024) : undefined,
    correlationId: typeof requestId === 'string' ? requestId : undefined,
  };
}
