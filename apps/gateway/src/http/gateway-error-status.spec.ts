import { GATEWAY_ERROR_CODES, VERIFICATION_CODES } from '@keyway/contracts';
import { denialStatus, DENIAL_MESSAGES } from './denial-status';
import { statusOf } from './gateway-error-status';

describe('HTTP mapping', () => {
  it.each(GATEWAY_ERROR_CODES)('maps error code %s to a 4xx or 5xx status', (code) => {
    expect(statusOf(code)).toBeGreaterThanOrEqual(400);
    expect(statusOf(code)).toBeLessThan(600);
  });

  it.each(VERIFICATION_CODES.filter((code) => code !== 'VALID'))(
    'maps refusal %s to 401, 403 or 429 with a message',
    (code) => {
      expect([401, 403, 429]).toContain(denialStatus(code as Exclude<typeof code, 'VALID'>));
      expect(DENIAL_MESSAGES[code]).toMatch(/\w/);
    },
  );

  it('throws on a code nobody mapped', () => {
    expect(() => statusOf('NEW_CODE' as never)).toThrow(/unmapped/);
  });
});
