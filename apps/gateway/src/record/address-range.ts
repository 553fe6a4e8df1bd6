import ipaddr from 'ipaddr.js';
import { LRUCache } from 'lru-cache';

// Client addresses repeat (proxies, NAT, busy clients): each is parsed once, not per request.
const parsed = new LRUCache<string, string>({ max: 10_000 });

/**
 * Addresses as 32 lowercase hex digits (IPv6, IPv4 mapped into `::ffff:0:0/96`): fixed-length
 * strings whose order is the numeric order, so the verify script compares them as strings.
 */
export function addressHex(address: string): string | null {
  const known = parsed.get(address);
  if (known !== undefined) return known === '' ? null : known;
  const hex = parseAddressHex(address);
  parsed.set(address, hex ?? '');
  return hex;
}

function parseAddressHex(address: string): string | null {
  if (!ipaddr.isValid(address)) return null;
  const parsed = ipaddr.process(address);
  const v6 = parsed.kind() === 'ipv4' ? (parsed as ipaddr.IPv4).toIPv4MappedAddress() : parsed;
  return Buffer.from(v6.toByteArray()).toString('hex');
}

/** `10.0.0.0/8` → the first and last address of the block, as `addressHex` strings. */
export function cidrRange(cidr: string): { first: string; last: string } {
  const [address, bits] = ipaddr.parseCIDR(cidr);
  const v6 = address.kind() === 'ipv4' ? (address as ipaddr.IPv4).toIPv4MappedAddress() : address;
  const prefix = address.kind() === 'ipv4' ? bits + 96 : bits;
  const bytes = v6.toByteArray();
  const first = bytes.map((byte, i) => byte & maskByte(prefix, i));
  const last = bytes.map((byte, i) => (byte | ~maskByte(prefix, i)) & 0xff);
  return { first: Buffer.from(first).toString('hex'), last: Buffer.from(last).toString('hex') };
}

function maskByte(prefix: number, index: number): number {
  const bits = Math.max(0, Math.min(8, prefix - index * 8));
  return (0xff << (8 - bits)) & 0xff;
}

/** The record's `cidr` field: `first-last` ranges joined by commas. */
export const encodeCidrs = (cidrs: readonly string[]): string =>
  cidrs
    .map(cidrRange)
    .map(({ first, last }) => `${first}-${last}`)
    .join(',');
