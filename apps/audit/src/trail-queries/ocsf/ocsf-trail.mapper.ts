import { type AuditRecord, KEY_EVENT_TYPES, WORKSPACE_EVENT_TYPES } from '@keyway/contracts';
import {
  classification,
  compact,
  OCSF_PRODUCT,
  OCSF_VERSION,
  OcsfClass,
  type OcsfEvent,
  OcsfSeverity,
} from './ocsf';

/** The classes trail records map to. */
type TrailClass =
  | typeof OcsfClass.ACCOUNT_CHANGE
  | typeof OcsfClass.ENTITY_MANAGEMENT
  | typeof OcsfClass.USER_ACCESS_MANAGEMENT;

interface TrailMapping {
  readonly classUid: TrailClass;
  readonly activityId: number;
  readonly activityName: string;
  readonly severityId: OcsfSeverity;
}

const entity = (activityId: number, activityName: string, severityId: OcsfSeverity = 1) =>
  ({ classUid: OcsfClass.ENTITY_MANAGEMENT, activityId, activityName, severityId }) as const;

/**
 * Every trail record type and its OCSF class and activity. Keys, workspaces and identities are
 * managed entities (3004); members are the workspace's user accounts (3001), whose role is their
 * privileges (3005). Changes that take access away are Low, the rest Informational.
 */
const MAPPINGS: Readonly<Record<string, TrailMapping>> = {
  [KEY_EVENT_TYPES.issued]: entity(1, 'Create'),
  [KEY_EVENT_TYPES.updated]: entity(3, 'Update'),
  [KEY_EVENT_TYPES.rotated]: entity(3, 'Update'),
  [KEY_EVENT_TYPES.revoked]: entity(9, 'Disable', OcsfSeverity.LOW),
  [KEY_EVENT_TYPES.expired]: entity(9, 'Disable'),
  [KEY_EVENT_TYPES.deleted]: entity(4, 'Delete', OcsfSeverity.LOW),
  [KEY_EVENT_TYPES.expiring]: entity(99, 'Expiring'),
  [WORKSPACE_EVENT_TYPES.workspaceCreated]: entity(1, 'Create'),
  [WORKSPACE_EVENT_TYPES.workspaceUpdated]: entity(3, 'Update'),
  [WORKSPACE_EVENT_TYPES.workspaceUpdatedV2]: entity(3, 'Update'),
  [WORKSPACE_EVENT_TYPES.identityCreated]: entity(1, 'Create'),
  [WORKSPACE_EVENT_TYPES.identityUpdated]: entity(3, 'Update'),
  [WORKSPACE_EVENT_TYPES.identityDeleted]: entity(4, 'Delete', OcsfSeverity.LOW),
  [WORKSPACE_EVENT_TYPES.memberAdded]: {
    classUid: OcsfClass.ACCOUNT_CHANGE,
    activityId: 1,
    activityName: 'Create',
    severityId: OcsfSeverity.INFORMATIONAL,
  },
  [WORKSPACE_EVENT_TYPES.memberRemoved]: {
    classUid: OcsfClass.ACCOUNT_CHANGE,
    activityId: 6,
    activityName: 'Delete',
    severityId: OcsfSeverity.LOW,
  },
  [WORKSPACE_EVENT_TYPES.memberRoleChanged]: {
    classUid: OcsfClass.USER_ACCESS_MANAGEMENT,
    activityId: 1,
    activityName: 'Assign Privileges',
    severityId: OcsfSeverity.LOW,
  },
};

/** The OCSF class and activity of a record type; a type audit does not know yet is Other (99). */
export function trailMapping(type: string): TrailMapping {
  return MAPPINGS[type] ?? entity(99, type);
}

type Change = AuditRecord['after'];

const text = (change: Change, field: string): string | undefined => {
  const value = change?.[field];
  return typeof value === 'string' ? value : undefined;
};

/** `member:mem_1`, `key:key_1` or `system` as an OCSF actor. */
function actorOf(actor: string): OcsfEvent {
  const [kind, id] = actor.split(':', 2);
  if (kind === 'member' && id !== undefined) return { user: { uid: id, type_id: 1, type: 'User' } };
  if (kind === 'key' && id !== undefined) {
    return { user: { uid: id, credential_uid: id, type_id: 99, type: 'API Key' } };
  }
  return { app_name: 'Keyway' };
}

/** The managed entity of a key, workspace or identity record, in the state `change` gives. */
function managedEntity(record: AuditRecord, change: Change): OcsfEvent {
  const name = text(change, 'name') ?? text(record.after, 'name') ?? text(record.before, 'name');
  const data = change === null ? undefined : change;
  if (record.subject.startsWith('ws_')) {
    return compact({
      uid: record.subject,
      name,
      type_id: 4,
      type: 'Organization',
      data,
      org: compact({ uid: record.subject, name }),
    });
  }
  if (record.subject.startsWith('idt_')) {
    const externalId = text(change, 'externalId') ?? text(record.before, 'externalId');
    return compact({
      uid: record.subject,
      name: externalId,
      type_id: 2,
      type: 'User',
      data,
      user: compact({ uid: record.subject, name: externalId }),
    });
  }
  const type = record.subject.startsWith('key_') ? 'API Key' : 'Other';
  return compact({ uid: record.subject, name, type_id: 99, type, data });
}

/** The member a member record is about, as an OCSF user. */
function memberUser(record: AuditRecord, change: Change): OcsfEvent {
  const email =
    text(change, 'email') ?? text(record.after, 'email') ?? text(record.before, 'email');
  const role = text(change, 'role');
  return compact({
    uid: record.subject,
    email_addr: email,
    type_id: role === undefined ? undefined : role === 'owner' || role === 'admin' ? 2 : 1,
    type: role === undefined ? undefined : role === 'owner' || role === 'admin' ? 'Admin' : 'User',
  });
}

/** The class-specific attributes of a record. */
function primary(record: AuditRecord, mapping: TrailMapping): OcsfEvent {
  switch (mapping.classUid) {
    case OcsfClass.ACCOUNT_CHANGE:
      return compact({
        user: memberUser(record, record.before ?? record.after),
        user_result: record.after === null ? undefined : memberUser(record, record.after),
      });
    case OcsfClass.USER_ACCESS_MANAGEMENT: {
      const role = text(record.after, 'role');
      return {
        user: memberUser(record, record.after),
        privileges: role === undefined ? [] : [`role:${role}`],
      };
    }
    case OcsfClass.ENTITY_MANAGEMENT:
      return compact({
        entity: managedEntity(record, record.before ?? record.after),
        entity_result:
          record.before === null || record.after === null
            ? undefined
            : managedEntity(record, record.after),
      });
  }
}

/**
 * One trail record as an OCSF event. Pure and total: every record maps, the same record always
 * to the same event (nothing here reads a clock).
 */
export function trailRecordToOcsf(record: AuditRecord): OcsfEvent {
  const mapping = trailMapping(record.type);
  return compact({
    ...classification(
      mapping.classUid,
      mapping.activityId,
      mapping.activityName,
      mapping.severityId,
    ),
    time: Date.parse(record.time),
    status_id: 1,
    status: 'Success',
    message: record.type,
    metadata: compact({
      version: OCSF_VERSION,
      product: OCSF_PRODUCT,
      uid: record.id,
      original_time: record.time,
      logged_time: Date.parse(record.recordedAt),
      event_code: record.type,
      log_name: 'audit-trail',
      tenant_uid: record.workspaceId,
      correlation_uid: record.correlationId,
      sequence: record.position,
    }),
    actor: actorOf(record.actor),
    src_endpoint: record.clientAddress === null ? undefined : { ip: record.clientAddress },
    http_request: record.userAgent === null ? undefined : { user_agent: record.userAgent },
    ...primary(record, mapping),
    unmapped: compact({
      subject: record.subject,
      sequence: record.sequence,
      keyId: record.keyId,
      position: record.position,
      prevHash: record.prevHash,
      hash: record.hash,
      // Entity Management carries them as the entity's `data`; the other classes keep them here.
      ...(mapping.classUid === OcsfClass.ENTITY_MANAGEMENT
        ? {}
        : { before: record.before, after: record.after }),
    }),
  });
}
