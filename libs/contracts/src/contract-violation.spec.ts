import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContractViolation, parseKeyEvent } from './index';

type Json = Record<string, unknown> & { data: Record<string, unknown> };
const issued = (): Json =>
  JSON.parse(
    readFileSync(join(__dirname, 'fixtures', 'keyway.key.issued.v1.json'), 'utf8'),
  ) as Json;

const SECRET = 'kw_live_3hF8sK2mQ9xV4bN7cT1yW6pR0aZ5dJ8gL2eX4q';

function caught(input: unknown): ContractViolation {
  try {
    parseKeyEvent(input);
  } catch (error) {
    if (error instanceof ContractViolation) return error;
    throw error;
  }
  throw new Error('expected a ContractViolation');
}

describe('ContractViolation', () => {
  it.each<[string, (event: Json) => unknown]>([
    [
      'a secret in place of the hash',
      (event) => ({ ...event, data: { ...event.data, keyHash: SECRET } }),
    ],
    ['a secret in an extra field', (event) => ({ ...event, data: { ...event.data, key: SECRET } })],
    ['a secret as the subject', (event) => ({ ...event, subject: SECRET })],
    ['a secret as the type', (event) => ({ ...event, type: SECRET })],
    [
      'a secret as a scope',
      (event) => ({ ...event, data: { ...event.data, scopes: [SECRET, 1] } }),
    ],
    ['a secret in broken JSON', (event) => JSON.stringify(event).replace('"data":', `"${SECRET}`)],
    ['a secret as the whole message', () => SECRET],
  ])('never echoes the value: %s', (_case, corrupt) => {
    const error = caught(corrupt(issued()));
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain(SECRET.slice(8, 24));
    expect(JSON.stringify(error.issues)).not.toContain(SECRET.slice(8, 24));
  });

  it('says where and why, with a stable code', () => {
    const event = issued();
    event.sequence = 0;
    event.data.key = SECRET;
    const error = caught(event);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ContractViolation');
    expect(error.code).toBe('CONTRACT_VIOLATION');
    expect(error.contract).toBe('keyway.keys.v1');
    expect(error.message).toBe(
      'Message violates keyway.keys.v1: sequence is below its minimum (1); data has unknown field(s) "key"',
    );
  });
});
