import { z } from 'zod';
import {
  type AuditRecord,
  GENESIS_HASH,
  KEY_EVENT_TYPES,
  WORKSPACE_EVENT_TYPES,
} from '@keyway/contracts';
import { canonicalJson } from '@keyway/audit-chain';
import { trailRecordToOcsf } from './ocsf-trail.mapper';
import { type UsageWindowRow, usageWindowToOcsf } from './ocsf-usage.mapper';

// The attributes OCSF 1.4.0 requires of the classes audit exports (schema.ocsf.io/1.4.0): the
// base event's, then each class's own, with the objects' own requirements and `at_least_one`
// constraints.
const atLeastOne = (fields: string[]) => (value: Record<string, unknown>) =>
  fields.some((field) => value[field] !== undefined);
const User = z
  .object({
    uid: z.string().optional(),
    name: z.string().optional(),
    account: z.object({}).optional(),
  })
  .refine(atLeastOne(['uid', 'name', 'account']));
const Actor = z
  .object({
    user: User.optional(),
    app_name: z.string().optional(),
    process: z.object({}).optional(),
  })
  .refine(atLeastOne(['process', 'user', 'invoked_by', 'session', 'app_name', 'app_uid']));
const Endpoint = z
  .object({ ip: z.string().optional(), name: z.string().optional(), uid: z.string().optional() })
  .refine(atLeastOne(['ip', 'uid', 'name', 'hostname', 'instance_uid', 'interface_uid']));
const ManagedEntity = z
  .object({
    uid: z.string().optional(),
    name: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .refine(atLeastOne(['name', 'uid', 'device', 'group', 'org', 'policy', 'user']));
const BaseEvent = z
  .object({
    class_uid: z.int(),
    category_uid: z.int(),
    activity_id: z.int(),
    type_uid: z.int(),
    severity_id: z.int().min(0).max(99),
    time: z.int().positive(),
    metadata: z.object({
      version: z.literal('1.4.0'),
      product: z.object({ name: z.string(), vendor_name: z.string() }),
      uid: z.string(),
      original_time: z.string(),
    }),
  })
  .refine((event) => event.type_uid === event.class_uid * 100 + event.activity_id, 'type_uid')
  .refine((event) => event.category_uid === Math.floor(event.class_uid / 1000), 'category_uid');
const CLASS_REQUIRED: Record<number, z.ZodType> = {
  3001: z.object({ class_uid: z.literal(3001), user: User }),
  3004: z.object({
    class_uid: z.literal(3004),
    entity: ManagedEntity,
    entity_result: ManagedEntity.optional(),
  }),
  3005: z.object({ class_uid: z.literal(3005), user: User, privileges: z.array(z.string()) }),
  6003: z.object({
    class_uid: z.literal(6003),
    actor: Actor,
    api: z.object({ operation: z.string() }),
    src_endpoint: Endpoint,
  }),
};
function expectValidOcsf(event: Record<string, unknown>): void {
  BaseEvent.parse(event);
  const schema = CLASS_REQUIRED[event['class_uid'] as number];
  expect(schema).toBeDefined();
  schema?.parse(event);
  if (event['actor'] !== undefined) Actor.parse(event['actor']);
  if (event['src_endpoint'] !== undefined) Endpoint.parse(event['src_endpoint']);
}

const base: AuditRecord = {
  workspaceId: 'ws_1',
  position: 7,
  id: '0194bb7e-1c2d-7a3b-8c4d-5e6f7a8b9c0d',
  type: KEY_EVENT_TYPES.revoked,
  subject: 'key_1',
  sequence: 3,
  time: '2026-01-01T00:00:00.250Z',
  recordedAt: '2026-01-01T00:00:01.000Z',
  actor: 'member:mem_1',
  clientAddress: '198.51.100.7',
  userAgent: 'curl/8',
  correlationId: 'req-1',
  keyId: 'key_1',
  before: { status: 'active', name: 'billing' },
  after: { status: 'revoked', reason: 'leaked' },
  prevHash: GENESIS_HASH,
  hash: 'a'.repeat(64),
};

describe('trail records as OCSF', () => {
  it('maps a key revocation to Entity Management: Disable, with before and after', () => {
    const event = trailRecordToOcsf(base);
    expectValidOcsf(event);
    expect(event).toMatchObject({
      class_uid: 3004,
      category_uid: 3,
      activity_id: 9,
      type_uid: 300409,
      severity_id: 2,
      time: Date.parse(base.time),
      status_id: 1,
      metadata: { uid: base.id, original_time: base.time, tenant_uid: 'ws_1', sequence: 7 },
      actor: { user: { uid: 'mem_1', type_id: 1 } },
      src_endpoint: { ip: '198.51.100.7' },
      http_request: { user_agent: 'curl/8' },
      entity: { uid: 'key_1', name: 'billing', type: 'API Key', data: base.before },
      entity_result: { uid: 'key_1', type: 'API Key', data: base.after },
      unmapped: { position: 7, hash: base.hash, prevHash: GENESIS_HASH, keyId: 'key_1' },
    });
  });

  it('maps every known record type to a valid event of its class', () => {
    const types = [...Object.values(KEY_EVENT_TYPES), ...Object.values(WORKSPACE_EVENT_TYPES)];
    const subjects: Record<string, string> = {
      key: 'key_1',
      workspace: 'ws_1',
      member: 'mem_1',
      identity: 'idt_1',
    };
    for (const type of types) {
      const subject = subjects[type.split('.')[1] ?? ''] ?? 'x';
      const event = trailRecordToOcsf({
        ...base,
        type,
        subject,
        before: null,
        after: { role: 'admin', email: 'a@example.com', name: 'n', externalId: 'user-1' },
        actor: 'system',
        clientAddress: null,
        userAgent: null,
      });
      expectValidOcsf(event);
    }
    expect(
      trailRecordToOcsf({ ...base, type: WORKSPACE_EVENT_TYPES.memberAdded, subject: 'mem_1' }),
    ).toMatchObject({ class_uid: 3001, activity_id: 1, type_uid: 300101 });
    expect(
      trailRecordToOcsf({ ...base, type: WORKSPACE_EVENT_TYPES.memberRemoved, subject: 'mem_1' }),
    ).toMatchObject({ class_uid: 3001, activity_id: 6, type_uid: 300106 });
    expect(
      trailRecordToOcsf({
        ...base,
        type: WORKSPACE_EVENT_TYPES.memberRoleChanged,
        subject: 'mem_1',
        after: { role: 'auditor' },
      }),
    ).toMatchObject({ class_uid: 3005, activity_id: 1, privileges: ['role:auditor'] });
  });

  it('keeps a type it does not know as Other, and leaves out what the record lacks', () => {
    const event = trailRecordToOcsf({
      ...base,
      type: 'keyway.thing.happened.v1',
      clientAddress: null,
      userAgent: null,
      actor: 'key:key_9',
    });
    expectValidOcsf(event);
    expect(event).toMatchObject({
      class_uid: 3004,
      activity_id: 99,
      activity_name: 'keyway.thing.happened.v1',
    });
    expect(event).not.toHaveProperty('src_endpoint');
    expect(event).not.toHaveProperty('http_request');
    expect(event['actor']).toEqual({
      user: { uid: 'key_9', credential_uid: 'key_9', type_id: 99, type: 'API Key' },
    });
  });

  it('is deterministic: the same record, the same canonical bytes', () => {
    expect(canonicalJson(trailRecordToOcsf(base))).toBe(
      canonicalJson(trailRecordToOcsf({ ...base })),
    );
  });
});

describe('usage windows as OCSF API Activity', () => {
  const row: UsageWindowRow = {
    stream: 'gw-1',
    sequence: '42',
    key_id: 'key_1',
    window_start: new Date('2026-01-01T00:00:00.000Z'),
    window_end: new Date('2026-01-01T00:00:01.000Z'),
    first_seen_at: new Date('2026-01-01T00:00:00.100Z'),
    last_seen_at: new Date('2026-01-01T00:00:00.900Z'),
    counts: [5, 0, 0, 2, 0, 0, 0, 0, 0, 1],
    client_addresses: ['203.0.113.9'],
  };

  it('emits one valid event per outcome counted, with its count and status', () => {
    const events = usageWindowToOcsf('ws_1', row);
    expect(events.map((event) => [event['status_code'], event['count']])).toEqual([
      ['VALID', 5],
      ['REVOKED', 2],
      ['RATE_LIMITED', 1],
    ]);
    for (const event of events) expectValidOcsf(event);
    expect(events[0]).toMatchObject({
      class_uid: 6003,
      category_uid: 6,
      activity_id: 99,
      type_uid: 600399,
      status_id: 1,
      time: row.last_seen_at.getTime(),
      metadata: {
        uid: 'gw-1:42:VALID',
        original_time: '2026-01-01T00:00:01.000Z',
        tenant_uid: 'ws_1',
      },
      actor: { user: { uid: 'key_1', credential_uid: 'key_1' } },
      api: { operation: 'verify' },
      src_endpoint: { ip: '203.0.113.9' },
    });
    expect(events[1]).toMatchObject({ status_id: 2, severity_id: 3, status_code: 'REVOKED' });
  });

  it('names no single source when a window saw several addresses, and lists them all', () => {
    const [event] = usageWindowToOcsf('ws_1', {
      ...row,
      client_addresses: ['203.0.113.9', '198.51.100.1'],
    });
    expect(event).toMatchObject({
      src_endpoint: { name: 'multiple' },
      unmapped: { clientAddresses: ['198.51.100.1', '203.0.113.9'] },
    });
    expectValidOcsf(event ?? {});
  });
});
