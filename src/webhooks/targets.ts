// Which hosts a webhook may reach: an admin must not be able to point the server at its own
// network (cloud metadata, the database, other internal services) unless WEBHOOK_ALLOW_PRIVATE=1.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", 0.0.0.0 included
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, 255.255.255.255 broadcast included
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64: reaches IPv4 addresses through a translator
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv6');
}

/** True for an address the server must not send webhooks to (IPv4-mapped IPv6 checked as IPv4). */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The host of a parsed URL as an IP literal, or null for a host name. */
export function ipLiteralOf(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : null;
}

export type TargetVerdict = 'allowed' | 'internal' | 'unresolved';

/**
 * Whether the URL's host may be reached; a host name is resolved (all addresses: one internal
 * address is enough for a refusal). The WHATWG parser has already turned short and decimal IPv4
 * forms (127.1, 2130706433) into dotted ones.
 */
export async function targetVerdict(url: URL): Promise<TargetVerdict> {
  const literal = ipLiteralOf(url);
  if (literal) return isInternalAddress(literal) ? 'internal' : 'allowed';
  let addresses: { address: string }[];
  try {
    addresses = await lookup(url.hostname, { all: true, verbatim: true });
  } catch {
    return 'unresolved';
  }
  if (addresses.length === 0) return 'unresolved';
  return addresses.some((a) => isInternalAddress(a.address)) ? 'internal' : 'allowed';
}
