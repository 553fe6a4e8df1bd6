import {
  batchStep,
  type BatchView,
  decideBatch,
  markRecord,
  messageMark,
  resumeOffset,
  storedProgress,
} from './batch-step';

/** A batch of `values` at consecutive offsets from `first`. */
function batch(first: bigint, values: string[]): BatchView {
  return {
    first,
    last: first + BigInt(values.length - 1),
    markAt: (offset) => {
      const value = values[Number(offset - first)];
      return offset < first || value === undefined ? undefined : messageMark(value);
    },
  };
}

describe('messageMark', () => {
  it('is a short digest that tells messages apart and never holds the value', () => {
    expect(messageMark('{"type":"keyway.key.issued.v1"}')).toHaveLength(22);
    expect(messageMark('a')).toBe(messageMark(Buffer.from('a')));
    expect(messageMark('a')).not.toBe(messageMark('b'));
    expect(messageMark(null)).toBe(messageMark(''));
    expect(messageMark('secret-value')).not.toContain('secret');
  });
});

describe('batchStep', () => {
  const applied = { next: 5n, mark: messageMark('e') };
  const verified = { sought: undefined, verified: true };
  const joined = { sought: undefined, verified: false };
  const soughtBefore = { sought: 4n, verified: false };

  it('applies a batch that starts at the progress once the message before it was compared', () => {
    expect(batchStep(applied, batch(5n, ['f', 'g']), verified)).toEqual({
      kind: 'apply',
      from: 5n,
    });
  });

  it('compares the message before the progress first after a join or a seek', () => {
    // The fetch raced the join's seek, or the seek was lost: read from the message before.
    expect(batchStep(applied, batch(5n, ['f', 'g']), joined)).toEqual({ kind: 'seek', to: 4n });
    expect(batchStep(applied, batch(8n, ['i']), joined)).toEqual({ kind: 'seek', to: 4n });
  });

  it('applies what follows the progress when the message before it is the one applied', () => {
    expect(batchStep(applied, batch(4n, ['e', 'f']), soughtBefore)).toEqual({
      kind: 'apply',
      from: 5n,
    });
    expect(batchStep(applied, batch(0n, ['a', 'b', 'c', 'd', 'e', 'f']), joined)).toEqual({
      kind: 'apply',
      from: 5n,
    });
  });

  it('finds a recreated partition by another message before the progress, verified or not', () => {
    expect(batchStep(applied, batch(4n, ['new-4', 'new-5']), soughtBefore)).toEqual({
      kind: 'recreated',
    });
    expect(batchStep(applied, batch(0n, ['n0', 'n1', 'n2', 'n3', 'n4']), verified)).toEqual({
      kind: 'recreated',
    });
  });

  it('seeks to the message before the progress when a batch ends below it', () => {
    expect(batchStep(applied, batch(0n, ['a', 'b']), joined)).toEqual({ kind: 'seek', to: 4n });
    expect(batchStep(applied, batch(0n, ['a', 'b']), soughtBefore)).toEqual({
      kind: 'seek',
      to: 4n,
    });
  });

  it('leaves it to the broker when Kafka answers past where it was sought', () => {
    // Retention removed offset 4, or the seek was lost: only the partition's start can tell.
    expect(batchStep(applied, batch(5n, ['f']), soughtBefore)).toEqual({ kind: 'gap', to: 4n });
  });

  it('applies from the progress without a mark to compare, or without a message at that offset', () => {
    const unmarked = { next: 5n, mark: null };
    expect(batchStep(unmarked, batch(3n, ['d', 'e', 'f']), joined)).toEqual({
      kind: 'apply',
      from: 5n,
    });
    expect(batchStep(unmarked, batch(0n, ['a']), joined)).toEqual({ kind: 'seek', to: 5n });
    const gap: BatchView = { first: 3n, last: 6n, markAt: () => undefined };
    expect(batchStep(applied, gap, joined)).toEqual({ kind: 'apply', from: 5n });
  });

  it('seeks back when the store is behind Kafka, then leaves the gap to the broker', () => {
    const unmarked = { next: 5n, mark: null };
    expect(batchStep(unmarked, batch(9n, ['j']), verified)).toEqual({ kind: 'seek', to: 5n });
    expect(batchStep(unmarked, batch(9n, ['j']), { sought: 5n, verified: false })).toEqual({
      kind: 'gap',
      to: 5n,
    });
  });

  it('applies everything from offset 0 when nothing was applied', () => {
    expect(batchStep({ next: 0n, mark: null }, batch(0n, ['a']), joined)).toEqual({
      kind: 'apply',
      from: 0n,
    });
  });
});

describe('decideBatch', () => {
  const applied = { next: 5n, mark: messageMark('e') };
  const soughtBefore = { sought: 4n, verified: false };
  const message = (offset: number, value: string) => ({
    offset: String(offset),
    value: Buffer.from(value),
  });

  it('takes a partition that ends before the progress for recreated, as the broker says', async () => {
    const decided = await decideBatch(
      applied,
      { highWatermark: '2', messages: [message(0, 'x'), message(1, 'y')] },
      soughtBefore,
      async () => ({ low: 0n, high: 2n }),
    );
    expect(decided).toEqual({ step: { kind: 'recreated' }, bounds: { low: 0n, high: 2n } });
  });

  it('believes the broker over a trailing high watermark', async () => {
    const decided = await decideBatch(
      applied,
      { highWatermark: '2', messages: [message(4, 'e'), message(5, 'f')] },
      soughtBefore,
      async () => ({ low: 0n, high: 6n }),
    );
    expect(decided.step).toEqual({ kind: 'apply', from: 5n });
  });

  it('accepts a gap the partition no longer holds, and seeks again past a lost seek', async () => {
    const batch = { highWatermark: '9', messages: [message(7, 'h')] };
    const gone = await decideBatch(applied, batch, soughtBefore, async () => ({
      low: 7n,
      high: 9n,
    }));
    expect(gone.step).toEqual({ kind: 'apply', from: 7n });
    const lost = await decideBatch(applied, batch, soughtBefore, async () => ({
      low: 0n,
      high: 9n,
    }));
    expect(lost.step).toEqual({ kind: 'seek', to: 4n });
  });
});

describe('storedProgress and markRecord', () => {
  it('keeps a mark only with the offset it was recorded with', () => {
    const record = markRecord({ next: 5n, mark: 'abc' });
    expect(storedProgress(5n, record)).toEqual({ next: 5n, mark: 'abc' });
    // The progress moved on without its mark (an older version, a rewind): nothing to compare.
    expect(storedProgress(7n, record)).toEqual({ next: 7n, mark: null });
    expect(storedProgress(5n, null)).toEqual({ next: 5n, mark: null });
    expect(storedProgress(5n, 'no-offset')).toEqual({ next: 5n, mark: null });
  });
});

describe('resumeOffset', () => {
  it('starts one message early when there is a mark to compare', () => {
    expect(resumeOffset({ next: 5n, mark: 'm' })).toBe(4n);
    expect(resumeOffset({ next: 5n, mark: null })).toBe(5n);
    expect(resumeOffset({ next: 0n, mark: null })).toBe(0n);
  });
});
