import { allocate, contains, formatCidr, overlaps, parseCidr } from '../../config';

describe('cidr', () => {
  it.each([
    ['10.0.0.0/16', '10.0.0.0/16'],
    ['192.168.4.0/22', '192.168.4.0/22'],
    ['0.0.0.0/0', '0.0.0.0/0'],
  ])('parses and formats %s', (input, expected) => {
    expect(formatCidr(parseCidr(input))).toBe(expected);
  });

  it.each([
    ['10.0.0.0', 'not an IPv4 CIDR block: 10.0.0.0'],
    ['10.0.0.256/16', 'not an IPv4 CIDR block: 10.0.0.256/16'],
    ['10.0.0.0/33', 'not an IPv4 CIDR block: 10.0.0.0/33'],
    ['10.0.1.0/16', 'host bits set in 10.0.1.0/16: use 10.0.0.0/16'],
  ])('rejects %s', (input, message) => {
    expect(() => parseCidr(input)).toThrow(message);
  });

  it('allocates aligned blocks in order', () => {
    const blocks = allocate(parseCidr('10.1.0.0/16'), [24, 20, 24]);
    expect(blocks?.map(formatCidr)).toEqual(['10.1.0.0/24', '10.1.16.0/20', '10.1.32.0/24']);
  });

  it('returns null when the blocks do not fit', () => {
    expect(allocate(parseCidr('10.1.0.0/24'), [25, 25, 25])).toBeNull();
  });

  it('tells containment and overlap apart', () => {
    const vpc = parseCidr('10.0.0.0/16');
    expect(contains(vpc, parseCidr('10.0.3.0/24'))).toBe(true);
    expect(contains(vpc, parseCidr('10.1.0.0/24'))).toBe(false);
    expect(overlaps(parseCidr('10.0.0.0/23'), parseCidr('10.0.1.0/24'))).toBe(true);
    expect(overlaps(parseCidr('10.0.0.0/24'), parseCidr('10.0.1.0/24'))).toBe(false);
  });
});
