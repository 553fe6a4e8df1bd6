import ipaddr from 'ipaddr.js';
import { LRUCache } from 'lru-cache';

const IPV4_MAPPED = '00000000000000000000ffff';

// Client addresses repeat (proxies, NAT, busy clients): each is parsed once, not per request.
const clients = new LRUCache<string, string>({ max: 10_000 });

/**
 * The client an address belongs to, canonically written however the address was: the IPv4
 * address (also when written `::ffff:a.b.c.d`), or the IPv6 /64 (the least any IPv6 subscriber
 * holds, so moving within it is not a new client). Anything that is not an address stays itself.
 */
export function clientOf(address: string): string {
  const known = clients.get(address);
  if (known !== undefined) return known;
  const client = parseClient(address);
  clients.set(address, client);
  return client;
}

function parseClient(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  const v6 = parsed.kind() === 'ipv4' ? (parsed as ipaddr.IPv4).toIPv4MappedAddress() : parsed;
  const hex = Buffer.from(v6.toByteArray()).toString('hex');
  return hex.startsWith(IPV4_MAPPED) ? hex : `${hex.slice(0, 16)}/64`;
}
