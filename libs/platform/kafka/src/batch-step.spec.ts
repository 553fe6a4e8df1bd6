import { batchStep, type BatchView, messageMark, resumeOffset } from './batch-step';

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

  it('applies a batch that starts at the progress', () => {
    expect(batchStep(applied, batch(5n, ['f', 'g']), undefined)).toEqual({
      kind: 'apply',
      from: 5n,
    });
  });

  it('applies what follows the progress when the message before it is the one applied', () => {
    expect(batchStep(applied, batch(4n, ['e', 'f']), 4n)).toEqual({ kind: 'apply', from: 5n });
    expect(batchStep(applied, batch(0n, ['a', 'b', 'c', 'd', 'e', 'f']), undefined)).toEqual({
      kind: 'apply',
      from: 5n,
    });
  });

  it('finds a recreated partition by another message before the progress', () => {
    expect(batchStep(applied, batch(4n, ['new-4', 'new-5']), 4n)).toEqual({ kind: 'recreated' });
    expect(batchStep(applied, batch(0n, ['n0', 'n1', 'n2', 'n3', 'n4']), undefined)).toEqual({
      kind: 'recreated',
    });
  });

  it('seeks to the message before the progress when a batch ends below it, once', () => {
    expect(batchStep(applied, batch(0n, ['a', 'b']), undefined)).toEqual({ kind: 'seek', to: 4n });
    expect(batchStep(applied, batch(0n, ['a', 'b']), 4n)).toEqual({ kind: 'apply', from: 5n });
  });

  it('cannot compare without a mark, or without a message at that offset', () => {
    expect(batchStep({ next: 5n, mark: null }, batch(0n, ['x', 'y']), undefined)).toEqual({
      kind: 'apply',
      from: 5n,
    });
    const gap: BatchView = { first: 3n, last: 6n, markAt: () => undefined };
    expect(batchStep(applied, gap, undefined)).toEqual({ kind: 'apply', from: 5n });
  });

  it('seeks back once when the store is behind Kafka, then accepts the gap', () => {
    expect(batchStep(applied, batch(9n, ['j']), undefined)).toEqual({ kind: 'seek', to: 5n });
    expect(batchStep(applied, batch(9n, ['j']), 5n)).toEqual({ kind: 'apply', from: 9n });
  });

  it('applies everything from offset 0 when nothing was applied', () => {
    expect(batchStep({ next: 0n, mark: null }, batch(0n, ['a']), undefined)).toEqual({
      kind: 'apply',
      from: 0n,
    });
  });
});

describe('resumeOffset', () => {
  it('starts one message early when there is a mark to compare', () => {
    expect(resumeOffset({ next: 5n, mark: 'm' })).toBe(4n);
    expect(resumeOffset({ next: 5n, mark: null })).toBe(5n);
    expect(resumeOffset({ next: 0n, mark: null })).toBe(0n);
  });
});
