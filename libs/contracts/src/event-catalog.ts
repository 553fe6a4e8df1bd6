import type { z } from 'zod';
import { type AlertEventType } from './audit/alert-event';
import { AlertRaisedV1 } from './audit/alert-raised.v1';
import { AlertResolvedV1 } from './audit/alert-resolved.v1';
import { KeyDeletedV1 } from './keys/key-deleted.v1';
import { type KeyEventType } from './keys/key-event';
import { KeyExpiredV1 } from './keys/key-expired.v1';
import { KeyExpiringV1 } from './keys/key-expiring.v1';
import { KeyIssuedV1 } from './keys/key-issued.v1';
import { KeyRevokedV1 } from './keys/key-revoked.v1';
import { KeyRotatedV1 } from './keys/key-rotated.v1';
import { KeyUpdatedV1 } from './keys/key-updated.v1';
import { TOPICS, type TopicName } from './topics';
import { UsageAggregatedV1 } from './usage/usage-aggregated.v1';
import { type UsageEventType } from './usage/usage-event';
import { MemberAddedV1 } from './workspaces/member-added.v1';
import { MemberRemovedV1 } from './workspaces/member-removed.v1';
import { MemberRoleChangedV1 } from './workspaces/member-role-changed.v1';
import { WorkspaceCreatedV1 } from './workspaces/workspace-created.v1';
import { type WorkspaceEventType } from './workspaces/workspace-event';
import { WorkspaceUpdatedV1 } from './workspaces/workspace-updated.v1';
import { WorkspaceUpdatedV2 } from './workspaces/workspace-updated.v2';
import { IdentityCreatedV1 } from './workspaces/identity-created.v1';
import { IdentityDeletedV1 } from './workspaces/identity-deleted.v1';
import { IdentityUpdatedV1 } from './workspaces/identity-updated.v1';

export type EventType = KeyEventType | WorkspaceEventType | UsageEventType | AlertEventType;

export interface EventContract {
  readonly type: EventType;
  /** Schema name, as exported: `KeyIssuedV1`. */
  readonly name: string;
  readonly topic: TopicName;
  readonly summary: string;
  readonly schema: z.ZodType;
}

function contract(
  schema: z.ZodType & { shape: { type: { value: EventType } } },
  name: string,
  topic: TopicName,
  summary: string,
): EventContract {
  return { type: schema.shape.type.value, name, topic, summary, schema };
}

/** Every published event type, old versions included: what the docs and fixtures cover. */
export const EVENT_CATALOG: readonly EventContract[] = [
  contract(KeyIssuedV1, 'KeyIssuedV1', TOPICS.keys, 'A key was created; data is its full state.'),
  contract(KeyUpdatedV1, 'KeyUpdatedV1', TOPICS.keys, "A key's settings changed (changed fields)."),
  contract(KeyRotatedV1, 'KeyRotatedV1', TOPICS.keys, 'A key got a new secret.'),
  contract(KeyRevokedV1, 'KeyRevokedV1', TOPICS.keys, 'A key was revoked.'),
  contract(KeyExpiredV1, 'KeyExpiredV1', TOPICS.keys, 'A key passed its expiry time.'),
  contract(KeyDeletedV1, 'KeyDeletedV1', TOPICS.keys, 'A key was deleted.'),
  contract(
    KeyExpiringV1,
    'KeyExpiringV1',
    TOPICS.keys,
    'A secret of the key stops working soon (sent once, a lead time before).',
  ),
  contract(WorkspaceCreatedV1, 'WorkspaceCreatedV1', TOPICS.workspaces, 'A workspace was created.'),
  contract(
    WorkspaceUpdatedV1,
    'WorkspaceUpdatedV1',
    TOPICS.workspaces,
    "A workspace's settings changed (changed fields).",
  ),
  contract(MemberAddedV1, 'MemberAddedV1', TOPICS.workspaces, 'A member joined a workspace.'),
  contract(
    MemberRoleChangedV1,
    'MemberRoleChangedV1',
    TOPICS.workspaces,
    "A member's role changed.",
  ),
  contract(MemberRemovedV1, 'MemberRemovedV1', TOPICS.workspaces, 'A member left a workspace.'),
  contract(
    WorkspaceUpdatedV2,
    'WorkspaceUpdatedV2',
    TOPICS.workspaces,
    "A workspace's settings changed (changed fields), key policy included.",
  ),
  contract(
    IdentityCreatedV1,
    'IdentityCreatedV1',
    TOPICS.workspaces,
    'An external owner (identity) was registered.',
  ),
  contract(
    IdentityUpdatedV1,
    'IdentityUpdatedV1',
    TOPICS.workspaces,
    "An identity's scopes, metadata or shared limits changed.",
  ),
  contract(
    IdentityDeletedV1,
    'IdentityDeletedV1',
    TOPICS.workspaces,
    'An identity was deleted; its keys are revoked.',
  ),
  contract(
    UsageAggregatedV1,
    'UsageAggregatedV1',
    TOPICS.usage,
    "One gateway replica's verifications of one key over a short window, by outcome.",
  ),
  contract(
    AlertRaisedV1,
    'AlertRaisedV1',
    TOPICS.auditAlerts,
    'Audit raised an alert (subject: the alert id, sequence 1).',
  ),
  contract(
    AlertResolvedV1,
    'AlertResolvedV1',
    TOPICS.auditAlerts,
    'An alert ended; its final state (subject: the alert id, sequence 2).',
  ),
];
