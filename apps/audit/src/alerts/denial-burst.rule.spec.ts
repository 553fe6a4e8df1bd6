import {
  burstEnded,
  burstThreshold,
  type BurstRule,
  type DenialMinute,
  detectBursts,
  lastCompleteMinute,
} from './denial-burst.rule';

const rule: BurstRule = { floorPerMinute: 100, factor: 5, baselineMinutes: 60, quietMinutes: 5 };
const at = (hhmm: string) => new Date(`2025-03-01T${hhmm}:00.000Z`);

const minute = (hhmm: string, denials: number, baselineDenials: number): DenialMinute => ({
  workspaceId: 'ws_a',
  keyId: 'key_a',
  minute: at(hhmm),
  counts: { RATE_LIMITED: denials },
  denials,
  baselineDenials,
  historyMinutes: 60,
  clientAddresses: ['198.51.100.7'],
});

describe('denial bursts', () => {
  it('needs the floor for a quiet key and factor × baseline for a busy one', () => {
    expect(burstThreshold(0, 60, rule)).toEqual({ baselinePerMinute: 0, thresholdPerMinute: 100 });
    expect(burstThreshold(60 * 50, 60, rule)).toEqual({
      baselinePerMinute: 50,
      thresholdPerMinute: 250,
    });
  });

  it('given a quiet key, when a minute reaches the floor, then it is a burst', () => {
    const [detection, ...rest] = detectBursts(
      [minute('10:00', 99, 30), minute('10:01', 100, 30)],
      new Map(),
      rule,
    );
    expect(rest).toEqual([]);
    expect(detection).toMatchObject({
      kind: 'denial-burst',
      firstSeenAt: at('10:01'),
      lastSeenAt: at('10:02'),
      details: { baselinePerMinute: 0.5, thresholdPerMinute: 100, peakPerMinute: 100 },
    });
  });

  it('judges a young key on the minutes since it was first seen, and not its first minute', () => {
    const young = (denials: number, baselineDenials: number, historyMinutes: number) => ({
      ...minute('10:00', denials, baselineDenials),
      historyMinutes,
    });
    expect(detectBursts([young(5000, 0, 0)], new Map(), rule)).toEqual([]);
    expect(detectBursts([young(600, 2 * 150, 2)], new Map(), rule)).toEqual([]);
    expect(detectBursts([young(800, 2 * 150, 2)], new Map(), rule)).toHaveLength(1);
  });

  it('given a key that is usually denied a lot, when it is denied as usual, then nothing', () => {
    expect(detectBursts([minute('10:00', 240, 60 * 50)], new Map(), rule)).toEqual([]);
  });

  it('keeps the threshold a burst started with, even as the storm lifts the baseline', () => {
    const detections = detectBursts(
      [minute('10:00', 500, 0), minute('10:01', 500, 500), minute('10:02', 150, 1000)],
      new Map(),
      rule,
    );
    expect(detections.map((d) => d.firstSeenAt)).toEqual([at('10:00'), at('10:01'), at('10:02')]);
    expect(
      detectBursts([minute('10:03', 150, 6000)], new Map([['key_a', 100]]), rule),
    ).toHaveLength(1);
  });

  it('ends a burst once the quiet minutes after it are complete', () => {
    // Last minute over the threshold: 10:00 (so lastSeenAt 10:01); quiet: 10:01…10:05.
    expect(burstEnded(at('10:01'), at('10:04'), rule)).toBe(false);
    expect(burstEnded(at('10:01'), at('10:05'), rule)).toBe(true);
  });

  it('judges a minute only once it ended and settled', () => {
    expect(lastCompleteMinute(new Date('2025-03-01T10:05:20.000Z'), 30_000)).toEqual(at('10:03'));
    expect(lastCompleteMinute(new Date('2025-03-01T10:05:40.000Z'), 30_000)).toEqual(at('10:04'));
  });
});
