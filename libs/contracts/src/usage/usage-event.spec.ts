import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContractViolation, parseUsageEvent, VERIFICATION_CODES } from '../index';

type Json = Record<string, unknown> & { data: Record<string, unknown> };
const fixture = (): Json =>
  JSON.parse(
    readFileSync(join(__dirname, '../fixtures', 'keyway.usage.aggregated.v1.json'), 'utf8'),
  ) as Json;

function violationPaths(json: unknown): string[] {
  try {
    parseUsageEvent(json);
  } catch (error) {
    if (error instanceof ContractViolation) return error.issues.map((i) => i.path.join('.'));
    throw error;
  }
  throw new Error('expected a ContractViolation');
}

const zeroCounts = () => Object.fromEntries(VERIFICATION_CODES.map((code) => [code, 0]));

describe('usage events', () => {
  it('lists the verification codes of the SPEC, in order', () => {
    expect(VERIFICATION_CODES).toEqual([
      'VALID',
      'MALFORMED',
      'NOT_FOUND',
      'REVOKED',
      'EXPIRED',
      'WRONG_ENVIRONMENT',
      'FORBIDDEN_ADDRESS',
      'INSUFFICIENT_SCOPE',
      'USAGE_EXCEEDED',
      'RATE_LIMITED',
    ]);
  });

  it('accepts unknown keys without a workspace', () => {
    const event = fixture();
    delete event.workspaceid;
    event.data = {
      ...event.data,
      keyId: null,
      workspaceId: null,
      counts: { ...zeroCounts(), NOT_FOUND: 5, MALFORMED: 2 },
    };
    expect(parseUsageEvent(event).data.counts.NOT_FOUND).toBe(5);
  });

  it('rejects a workspaceid that disagrees with data.workspaceId', () => {
    const event = fixture();
    event.data.workspaceId = null;
    expect(violationPaths(event)).toEqual(['workspaceid']);
  });

  it('rejects missing, unknown, negative and all-zero counts', () => {
    const cases: [Record<string, number>, string][] = [
      [{ VALID: 1 }, 'data.counts.MALFORMED'],
      [{ ...zeroCounts(), VALID: 1, OK: 1 }, 'data.counts'],
      [{ ...zeroCounts(), VALID: -1 }, 'data.counts.VALID'],
      [zeroCounts(), 'data.counts'],
    ];
    for (const [counts, path] of cases) {
      const event = fixture();
      event.data.counts = counts;
      expect(violationPaths(event)).toContain(path);
    }
  });

  it('rejects windows and sightings that run backwards', () => {
    const event = fixture();
    event.data.windowEnd = '2025-02-01T09:59:59.000Z';
    event.data.lastSeenAt = '2025-02-01T10:00:00.000Z';
    expect(violationPaths(event).sort()).toEqual(['data.lastSeenAt', 'data.windowEnd']);
  });

  it('rejects client addresses that are not IP addresses', () => {
    const event = fixture();
    event.data.clientAddresses = ['198.51.100.23', 'not-an-ip'];
    expect(violationPaths(event)).toEqual(['data.clientAddresses.1']);
  });
});
