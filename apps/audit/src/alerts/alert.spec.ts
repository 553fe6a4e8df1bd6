import { type Detection, extend, raise, resolve } from './alert';

const detection = (over: Partial<Detection> = {}): Detection => ({
  workspaceId: 'ws_a',
  keyId: 'key_a',
  kind: 'new-network',
  firstSeenAt: new Date('2025-03-01T10:00:00.000Z'),
  lastSeenAt: new Date('2025-03-01T10:00:01.000Z'),
  counts: { VALID: 3 },
  clientAddresses: ['198.51.100.7'],
  details: { networks: ['198.51.100.0/24'] },
  ...over,
});

describe('alert', () => {
  const now = new Date('2025-03-01T10:00:02.000Z');

  it('is raised open from its first detection', () => {
    expect(raise('alr_1', detection(), now)).toMatchObject({
      id: 'alr_1',
      status: 'open',
      raisedAt: now,
      resolvedAt: null,
      counts: { VALID: 3 },
    });
  });

  it('widens, adds up and joins with later detections, keeping the first threshold', () => {
    const burst = raise(
      'alr_2',
      detection({
        kind: 'denial-burst',
        counts: { RATE_LIMITED: 200 },
        details: { baselinePerMinute: 1, thresholdPerMinute: 100, peakPerMinute: 200 },
      }),
      now,
    );
    const later = extend(
      burst,
      detection({
        kind: 'denial-burst',
        lastSeenAt: new Date('2025-03-01T10:05:00.000Z'),
        counts: { RATE_LIMITED: 150, FORBIDDEN_ADDRESS: 2 },
        clientAddresses: ['198.51.100.7', '203.0.113.9'],
        details: { baselinePerMinute: 50, thresholdPerMinute: 250, peakPerMinute: 152 },
      }),
    );
    expect(later).toMatchObject({
      firstSeenAt: new Date('2025-03-01T10:00:00.000Z'),
      lastSeenAt: new Date('2025-03-01T10:05:00.000Z'),
      counts: { RATE_LIMITED: 350, FORBIDDEN_ADDRESS: 2 },
      clientAddresses: ['198.51.100.7', '203.0.113.9'],
      details: { baselinePerMinute: 1, thresholdPerMinute: 100, peakPerMinute: 200 },
    });
  });

  it('keeps at most 20 addresses and networks', () => {
    let alert = raise('alr_3', detection(), now);
    for (let i = 0; i < 30; i++) {
      alert = extend(
        alert,
        detection({ clientAddresses: [`10.0.${i}.1`], details: { networks: [`10.0.${i}.0/24`] } }),
      );
    }
    expect(alert.clientAddresses).toHaveLength(20);
    expect(alert.details.networks).toHaveLength(20);
  });

  it('is resolved with a time', () => {
    expect(resolve(raise('alr_4', detection(), now), now)).toMatchObject({
      status: 'resolved',
      resolvedAt: now,
    });
  });
});
