import { decodeTrailCursor, encodeTrailCursor } from './trail-cursor';
import { trailExportQuery, trailPageQuery } from './trail-filter';

describe('trail queries', () => {
  it('binds every filter as a parameter, scoped to the workspace first', () => {
    const query = trailPageQuery(
      'ws_1',
      {
        keyId: 'key_1',
        actor: 'system',
        type: ['keyway.key.revoked.v1'],
        from: '2026-01-01T00:00:00Z',
        to: '2026-02-01T00:00:00Z',
      },
      { order: 'desc', after: 10, limit: 51 },
    );
    expect(query.values).toEqual([
      'ws_1',
      'key_1',
      'system',
      'keyway.key.revoked.v1',
      '2026-01-01T00:00:00Z',
      '2026-02-01T00:00:00Z',
      10,
      51,
    ]);
    expect(query.text).toContain('workspace_id = $1');
    expect(query.text).toContain('position < $7');
    expect(query.text).toContain('ORDER BY position DESC LIMIT $8');
    expect(query.text).not.toContain('key_1');
  });

  it('reads several types as one bounded scan per type, merged by position', () => {
    const query = trailPageQuery(
      'ws_1',
      { type: ['a.v1', 'b.v1'] },
      { order: 'asc', after: null, limit: 3 },
    );
    expect(query.text).toContain('CROSS JOIN LATERAL');
    expect(query.text).toContain('type = t.type');
    expect(query.text).toMatch(/ORDER BY e\.position ASC LIMIT \$2$/);
    expect(query.values).toEqual(['ws_1', 3, ['a.v1', 'b.v1']]);
  });

  it('exports in chain order', () => {
    expect(trailExportQuery('ws_1', {}).text).toMatch(/ORDER BY position ASC$/);
  });
});

describe('trail cursors', () => {
  it('round-trips a position for its order only', () => {
    const cursor = encodeTrailCursor(41, 'desc');
    expect(decodeTrailCursor(cursor, 'desc')).toBe(41);
    expect(decodeTrailCursor(cursor, 'asc')).toBeNull();
  });

  it('refuses anything it did not write', () => {
    for (const forged of [
      '',
      'x',
      '!!',
      Buffer.from('[1.5,"desc"]').toString('base64url'),
      Buffer.from('[-1,"desc"]').toString('base64url'),
      Buffer.from('{"p":1}').toString('base64url'),
    ]) {
      expect(decodeTrailCursor(forged, 'desc')).toBeNull();
    }
  });
});
