import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ContractViolation,
  KEY_EVENT_TYPES,
  type KeyEvent,
  type KeyEventType,
  parseKeyEvent,
} from '../index';

type Json = Record<string, unknown> & { data: Record<string, unknown> };
const fixture = (type: string): Json =>
  JSON.parse(readFileSync(join(__dirname, '../fixtures', `${type}.json`), 'utf8')) as Json;

function violation(json: unknown): ContractViolation {
  try {
    parseKeyEvent(json);
  } catch (error) {
    if (error instanceof ContractViolation) return error;
    throw error;
  }
  throw new Error('expected a ContractViolation');
}

const paths = (error: ContractViolation) => error.issues.map((issue) => issue.path.join('.'));

describe('key events', () => {
  it('registers every type of the KeyEvent union, and only those', () => {
    const registered: readonly KeyEventType[] = Object.values(KEY_EVENT_TYPES);
    // Compile-time: the union and the registry are the same set.
    const complete: Record<KeyEventType, true> = {
      'keyway.key.issued.v1': true,
      'keyway.key.updated.v1': true,
      'keyway.key.rotated.v1': true,
      'keyway.key.revoked.v1': true,
      'keyway.key.expired.v1': true,
      'keyway.key.deleted.v1': true,
      'keyway.key.expiring.v1': true,
    };
    expect([...registered].sort()).toEqual(Object.keys(complete).sort());
  });

  it('narrows by type in an exhaustive switch', () => {
    const summarize = (event: KeyEvent): string => {
      switch (event.type) {
        case KEY_EVENT_TYPES.issued:
          return event.data.keyHash;
        case KEY_EVENT_TYPES.updated:
          return Object.keys(event.data).join();
        case KEY_EVENT_TYPES.rotated:
          return event.data.previousKeyHash;
        case KEY_EVENT_TYPES.revoked:
          return event.data.revokedAt;
        case KEY_EVENT_TYPES.expired:
          return event.data.expiredAt;
        case KEY_EVENT_TYPES.deleted:
          return event.data.deletedAt;
        case KEY_EVENT_TYPES.expiring:
          return event.data.expiresAt;
      }
    };
    expect(summarize(parseKeyEvent(fixture('keyway.key.revoked.v1')))).toBe(
      '2025-02-12T14:30:00.000Z',
    );
  });

  it.each([0, -1, 1.5, '2'])('rejects sequence %p', (sequence) => {
    const event = { ...fixture('keyway.key.revoked.v1'), sequence };
    expect(paths(violation(event))).toContain('sequence');
  });

  it('rejects an issued event that does not start the key (sequence 1)', () => {
    expect(paths(violation({ ...fixture('keyway.key.issued.v1'), sequence: 2 }))).toEqual([
      'sequence',
    ]);
  });

  it('rejects a later event claiming sequence 1', () => {
    expect(paths(violation({ ...fixture('keyway.key.rotated.v1'), sequence: 1 }))).toEqual([
      'sequence',
    ]);
  });

  it('rejects an unknown type, including a later version it does not know yet', () => {
    for (const type of ['keyway.key.frozen.v1', 'keyway.key.issued.v2']) {
      const error = violation({ ...fixture('keyway.key.issued.v1'), type });
      expect(paths(error)).toEqual(['type']);
    }
  });

  it.each(['keyHash', 'environment', 'rateLimits', 'createdBy'])(
    'rejects issued data without %s',
    (field) => {
      const event = fixture('keyway.key.issued.v1');
      delete event.data[field];
      expect(paths(violation(event))).toContain(`data.${field}`);
    },
  );

  it.each(['specversion', 'id', 'subject', 'workspaceid', 'sequence', 'actor', 'time'])(
    'rejects an envelope without %s',
    (attribute) => {
      const event = fixture('keyway.key.deleted.v1');
      delete event[attribute];
      expect(paths(violation(event))).toContain(attribute);
    },
  );

  it.each(['key', 'secret', 'plaintextKey'])(
    'rejects issued data carrying an extra %s',
    (field) => {
      const event = fixture('keyway.key.issued.v1');
      event.data[field] = 'kw_live_3hF8sK2mQ9xV4bN7cT1yW6pR0aZ5dJ8gL2eX4q';
      const error = violation(event);
      expect(error.issues).toEqual([
        expect.objectContaining({ code: 'unrecognized_keys', keys: [field], path: ['data'] }),
      ]);
    },
  );

  it('rejects a key hash that is not lowercase hex HMAC-SHA256', () => {
    for (const keyHash of ['A'.repeat(64), 'a'.repeat(63), 'kw_live_not_a_hash']) {
      const event = fixture('keyway.key.issued.v1');
      event.data.keyHash = keyHash;
      expect(paths(violation(event))).toEqual(['data.keyHash']);
    }
  });

  it('rejects inconsistent ids and environment in issued', () => {
    const event = fixture('keyway.key.issued.v1');
    event.subject = 'key_other';
    event.workspaceid = 'ws_other';
    event.data.environment = 'test';
    expect(paths(violation(event)).sort()).toEqual(['data.start', 'subject', 'workspaceid']);
  });

  it('rejects a rate limit whose windowMs does not match its window', () => {
    const event = fixture('keyway.key.issued.v1');
    event.data.rateLimits = [{ name: 'default', limit: 100, window: '60s', windowMs: 1000 }];
    expect(paths(violation(event))).toEqual(['data.rateLimits.0.windowMs']);
  });

  it('rejects metadata over 4 KiB', () => {
    const event = fixture('keyway.key.issued.v1');
    event.data.metadata = { blob: 'x'.repeat(4096) };
    expect(paths(violation(event))).toEqual(['data.metadata']);
  });

  it('rejects an update that changes nothing, or a field that cannot be updated', () => {
    const empty = { ...fixture('keyway.key.updated.v1'), data: {} };
    expect(paths(violation(empty))).toEqual(['data']);
    const hash = { ...fixture('keyway.key.updated.v1'), data: { keyHash: 'a'.repeat(64) } };
    expect(violation(hash).issues[0]).toMatchObject({ code: 'unrecognized_keys' });
  });

  it('rejects a rotation whose old secret would stop before the rotation', () => {
    const event = fixture('keyway.key.rotated.v1');
    event.data.previousKeyExpiresAt = '2025-02-09T08:00:00.000Z';
    expect(paths(violation(event))).toEqual(['data.previousKeyExpiresAt']);
  });

  it('rejects non-UTC times', () => {
    const event = { ...fixture('keyway.key.deleted.v1'), time: '2025-03-10T13:00:00+01:00' };
    expect(paths(violation(event))).toEqual(['time']);
  });

  it('drops unknown envelope extension attributes, as CloudEvents consumers must tolerate them', () => {
    const parsed = parseKeyEvent({ ...fixture('keyway.key.deleted.v1'), traceparent: '00-abc' });
    expect(parsed).not.toHaveProperty('traceparent');
  });

  it('rejects input that is not JSON or not an object', () => {
    expect(violation('{"specversion":').issues).toEqual([
      expect.objectContaining({ code: 'custom', message: 'is not valid JSON' }),
    ]);
    expect(paths(violation(null))).toEqual(['']);
  });
});
