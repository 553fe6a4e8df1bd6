import { addressHex, cidrRange, encodeCidrs } from './address-range';

describe('address ranges', () => {
  it('maps IPv4 into IPv6 so both compare as fixed-length hex', () => {
    expect(addressHex('10.1.2.3')).toBe('00000000000000000000ffff0a010203');
    expect(addressHex('::ffff:10.1.2.3')).toBe('00000000000000000000ffff0a010203');
    expect(addressHex('2001:db8::1')).toBe('20010db8000000000000000000000001');
    expect(addressHex('not an address')).toBeNull();
  });

  it('gives the first and last address of a block', () => {
    expect(cidrRange('192.168.1.0/24')).toEqual({
      first: '00000000000000000000ffffc0a80100',
      last: '00000000000000000000ffffc0a801ff',
    });
    expect(cidrRange('2001:db8::/32')).toEqual({
      first: '20010db8000000000000000000000000',
      last: '20010db8ffffffffffffffffffffffff',
    });
    expect(cidrRange('0.0.0.0/0').last).toBe('00000000000000000000ffffffffffff');
  });

  it('orders as numbers: an address is inside exactly when between first and last', () => {
    const { first, last } = cidrRange('10.0.0.0/8');
    const inside = (address: string) => {
      const hex = addressHex(address) ?? '';
      return hex >= first && hex <= last;
    };
    expect(inside('10.255.255.255')).toBe(true);
    expect(inside('11.0.0.0')).toBe(false);
    expect(inside('9.255.255.255')).toBe(false);
    expect(encodeCidrs(['10.0.0.0/8', '::1/128'])).toContain(',');
  });
});
