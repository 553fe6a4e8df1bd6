import { DomainError } from '@keyway/platform-observability';

export const MemberErrorCode = {
  MEMBER_EXISTS: 'MEMBER_EXISTS',
  MEMBER_NOT_FOUND: 'MEMBER_NOT_FOUND',
  /** An active member of the workspace has this email already. */
  MEMBER_EMAIL_TAKEN: 'MEMBER_EMAIL_TAKEN',
  /** The change would leave the workspace without an owner. */
  LAST_OWNER: 'LAST_OWNER',
} as const;
export type MemberErrorCode = (typeof MemberErrorCode)[keyof typeof MemberErrorCode];

/** A member command or query refused. */
export class MemberError extends DomainError<MemberErrorCode> {
  static notFound(): MemberError {
    return new MemberError(MemberErrorCode.MEMBER_NOT_FOUND, 'member not found');
  }
}
