import { type FastifyRequest } from 'fastify';
import { IpAddress } from '@keyway/contracts';
import { type Caller } from '../auth/caller';

/** Who makes a change and from where, as the trail records it. */
export interface RequestContext {
  readonly workspaceId: string;
  readonly actor: `key:${string}`;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
  readonly correlationId: string | null;
}

export function requestContext(caller: Caller, request: FastifyRequest): RequestContext {
  const userAgent = request.headers['user-agent'];
  const requestId = (request.raw as { id?: unknown }).id ?? request.id;
  return {
    workspaceId: caller.workspaceId,
    actor: `key:${caller.keyId}`,
    // An address the record cannot carry (an IPv6 zone id, say) is left out.
    clientAddress: IpAddress.safeParse(request.ip).success ? request.ip : null,
    userAgent:
      typeof userAgent === 'string' && userAgent.length > 0 ? userAgent.slice(0, 1024) : null,
    correlationId: typeof requestId === 'string' ? requestId.slice(0, 128) : null,
  };
}
