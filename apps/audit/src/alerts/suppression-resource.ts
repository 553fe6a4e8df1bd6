import { type AlertKind, type SuppressionResource } from '@keyway/contracts';
import { type Suppression } from './suppressions.repository';

export function suppressionResource(s: Suppression): SuppressionResource {
  return {
    id: s.id,
    workspaceId: s.workspaceId,
    keyId: s.keyId,
    cidr: s.cidr,
    kind: s.kind,
    endsAt: s.endsAt?.toISOString() ?? null,
    reason: s.reason,
    createdAt: s.createdAt.toISOString(),
    createdBy: s.createdBy,
    deletedAt: s.deletedAt?.toISOString() ?? null,
    deletedBy: s.deletedBy,
  };
}

/** What the trail records of a suppression: its rule, not who or when (the record has those). */
export function suppressionRule(s: Suppression): {
  keyId: string | null;
  cidr: string | null;
  kind: AlertKind | null;
  endsAt: string | null;
  reason: string;
} {
  return {
    keyId: s.keyId,
    cidr: s.cidr,
    kind: s.kind,
    endsAt: s.endsAt?.toISOString() ?? null,
    reason: s.reason,
  };
}
