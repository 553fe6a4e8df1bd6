import { IsoTimeInput, MetadataInput, queryInteger, RateLimitInputs } from './inputs';

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? [] : (result.error?.issues.map((issue) => issue.message) ?? []);

describe('request inputs', () => {
  it('reads query integers in plain decimal only, within their bounds', () => {
    const limit = queryInteger(1, 100, 20);
    expect(limit.parse(undefined)).toBe(20);
    expect(limit.parse('16')).toBe(16);
    expect(limit.parse('100')).toBe(100);
    // Number() reads each of these as a number; a query parameter has one spelling.
    for (const spelling of [
      '0x10',
      '1e1',
      ' 16',
      '16 ',
      '16.0',
      '+16',
      '016',
      '',
      '0b1',
      'Infinity',
    ]) {
      expect(messages(limit.safeParse(spelling))).toEqual([
        'must be a whole number in decimal digits',
      ]);
    }
    expect(limit.safeParse('0').success).toBe(false);
    expect(limit.safeParse('101').success).toBe(false);
    expect(limit.safeParse('99999999999999999999').success).toBe(false);
  });

  it('takes metadata up to 16 levels deep, refusing deeper without recursing', () => {
    const nested = (depth: number) => JSON.parse(`{"m":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    expect(MetadataInput.safeParse(nested(15)).success).toBe(true);
    expect(messages(MetadataInput.safeParse(nested(16)))).toEqual([
      'must nest at most 16 levels deep',
    ]);
    expect(messages(MetadataInput.safeParse(nested(100_000)))).toEqual([
      'must nest at most 16 levels deep',
    ]);
  });

  it('says why metadata with a "constructor" key is refused, at any level', () => {
    for (const json of ['{"constructor":"x"}', '{"a":[{"constructor":1}]}']) {
      expect(messages(MetadataInput.safeParse(JSON.parse(json)))).toEqual([
        'keys named "constructor" are not allowed',
      ]);
    }
    expect(messages(MetadataInput.safeParse(['a']))).toEqual(['must be a JSON object']);
    expect(MetadataInput.safeParse({ toString: 1, team: { name: 'bi' } }).success).toBe(true);
  });

  it('refuses duplicate limit names and windows over 366 days', () => {
    const limit = (name: string, window: string) => ({ name, limit: 1, window });
    expect(RateLimitInputs.safeParse([limit('a', '366d'), limit('b', '1s')]).success).toBe(true);
    expect(messages(RateLimitInputs.safeParse([limit('a', '1s'), limit('a', '2s')]))).toEqual([
      'duplicate name',
    ]);
    expect(messages(RateLimitInputs.safeParse([limit('a', '999999999d')]))).toEqual([
      'at most 366d',
    ]);
  });

  it('refuses times whose UTC instant is in the year 10000', () => {
    expect(IsoTimeInput.safeParse('9999-12-31T23:59:59+00:00').success).toBe(true);
    expect(IsoTimeInput.safeParse('9999-12-31T23:59:59-23:59').success).toBe(false);
  });
});
