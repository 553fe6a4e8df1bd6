import { type MemberResource } from '@keyway/contracts';
import { type MemberState } from './member.decide';

export function memberResource(member: MemberState): MemberResource {
  return {
    id: member.memberId,
    workspaceId: member.workspaceId,
    email: member.email,
    role: member.role,
    status: member.status,
    createdAt: member.createdAt,
    version: member.version,
  };
}
