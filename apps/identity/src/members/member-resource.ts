import { type MemberState } from './member.decide';

export function memberResource(member: MemberState) {
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
export type MemberResource = ReturnType<typeof memberResource>;
