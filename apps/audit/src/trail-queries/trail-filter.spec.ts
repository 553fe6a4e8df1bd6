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
    expect(query.text).toMatch(/ORDER BY e\.position ASC LIMIT \$3$/);
    expect(query.values).toEqual(['ws_1', ['a.v1', 'b.v1'], 3]);
  });

  it('reads one index in position order when there is one filter or none', () => {
    for (const filter of [{}, { keyId: 'key_1' }, { actor: 'system' }, { type: ['a.v1'] }]) {
      const query = trailPageQuery('ws_1', filter, { order: 'desc', after: null, limit: 5 });
      expect(query.text).not.toContain('WITH');
      expect(query.text).toMatch(/ORDER BY position DESC LIMIT \$\d+$/);
    }
  });

  it('bounds the first try of a time range or combined filters to a window of one index', () => {
    const timed = trailPageQuery(
      'ws_1',
      { from: '2026-01-01T00:00:00Z' },
      { order: 'desc', after: null, limit: 5, nearWindow: 7 },
    );
    expect(timed.text).toContain('WHERE workspace_id = $1\n');
    expect(timed.text).toContain('ORDER BY position DESC LIMIT 7');
    expect(timed.text).toContain('FROM near WHERE occurred_at >= $2::timestamptz');
    expect(timed.text).toContain('(SELECT count(*) FROM near) = 7');
    const combined = trailPageQuery(
      'ws_1',
      { actor: 'system', type: ['a.v1'] },
      { order: 'asc', after: 3, limit: 5 },
    );
    // The actor's index leads; the type is checked on the window's rows.
    expect(combined.text).toContain('WHERE workspace_id = $1 AND actor = $2 AND position > $4');
    expect(combined.text).toContain('FROM near WHERE type = $3');
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
