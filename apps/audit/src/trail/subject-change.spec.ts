import { randomUUID } from 'node:crypto';
import { TOPICS } from '@keyway/contracts';
import { PoisonMessage } from '@keyway/platform-kafka';
import { changeOf } from './subject-change';
import { decodeTrailEvent, type TrailEvent } from './trail-event';

const envelope = {
  specversion: '1.0',
  source: '/keyway/identity',
  subject: 'key_abc',
  time: '2026-01-01T00:00:00.000Z',
  datacontenttype: 'application/json',
  workspaceid: 'ws_abc',
  actor: 'system',
};

const decode = (topic: string, value: unknown): TrailEvent =>
  decodeTrailEvent({
    topic,
    partition: 0,
    offset: '0',
    key: null,
    value: typeof value === 'string' ? value : JSON.stringify(value),
  });

const revoked = (sequence: number, reason: string | null = null) =>
  decode(TOPICS.keys, {
    ...envelope,
    id: randomUUID(),
    type: 'keyway.key.revoked.v1',
    sequence,
    data: { reason, revokedAt: '2026-01-02T00:00:00.000Z' },
  });

describe('decodeTrailEvent', () => {
  it('parses known types with their contract', () => {
    expect(revoked(2).kind).toBe('key');
  });

  it('keeps an unknown type of a known topic, as long as its envelope is sound', () => {
    const event = decode(TOPICS.keys, {
      ...envelope,
      id: randomUUID(),
      type: 'keyway.key.suspended.v1',
      sequence: 2,
      data: { anything: true },
    });
    expect(event.kind).toBe('other');
  });

  it.each([
    ['not JSON', '{'],
    [
      'a known type breaking its schema',
      { ...envelope, id: randomUUID(), type: 'keyway.key.revoked.v1', sequence: 2, data: {} },
    ],
    [
      'an envelope without workspaceid',
      {
        ...envelope,
        workspaceid: undefined,
        id: randomUUID(),
        type: 'keyway.key.new.v1',
        sequence: 1,
      },
    ],
    [
      'a subject longer than a record takes',
      {
        ...envelope,
        subject: 'k'.repeat(257),
        id: randomUUID(),
        type: 'keyway.key.new.v1',
        sequence: 1,
      },
    ],
    ['not a CloudEvent', { specversion: '0.3' }],
  ])('treats %s as poison', (_name, value) => {
    expect(() => decode(TOPICS.keys, value)).toThrow(PoisonMessage);
  });

  it('names no value of a broken event in the poison reason', () => {
    const secretish = 'reason-that-must-not-leak';
    expect(() =>
      decode(TOPICS.keys, {
        ...envelope,
        id: randomUUID(),
        type: 'keyway.key.revoked.v1',
        sequence: 2,
        data: { reason: secretish },
      }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining(secretish) }));
  });
});

describe('changeOf', () => {
  it('records only the fields that changed, before and after', () => {
    const state = {
      status: 'revoked',
      revokedAt: '2026-01-02T00:00:00.000Z',
      revocationReason: null,
    };
    const change = changeOf(revoked(3, 'again'), state);
    expect(change.before).toEqual({ revocationReason: null });
    expect(change.after).toEqual({ revocationReason: 'again' });
    expect(change.state).toEqual({ ...state, revocationReason: 'again' });
  });

  it('takes null for what it never saw before', () => {
    expect(changeOf(revoked(2, 'leaked'), null).before).toEqual({
      status: null,
      revokedAt: null,
      revocationReason: null,
    });
  });

  it('keeps an unknown type as it came, without secret-like fields, state untouched', () => {
    const event = decode(TOPICS.keys, {
      ...envelope,
      id: randomUUID(),
      type: 'keyway.key.suspended.v1',
      sequence: 2,
      data: { until: 'tomorrow', keyHash: 'a', nested: [{ previousKeyHash: 'b', ok: 1 }] },
    });
    const state = { status: 'active' };
    expect(changeOf(event, state)).toEqual({
      before: null,
      after: { until: 'tomorrow', nested: [{ ok: 1 }] },
      state,
    });
  });

  it('wraps data that is not an object', () => {
    const event = decode(TOPICS.workspaces, {
      ...envelope,
      id: randomUUID(),
      type: 'keyway.workspace.archived.v1',
      sequence: 2,
      data: 'archived',
    });
    expect(changeOf(event, null).after).toEqual({ data: 'archived' });
  });
});
