/**
 * Which target URLs a subscription may have. Always: an absolute http(s) URL with a host. With
 * strict targets (as a production service must run, against SSRF): no loopback, private,
 * link-local, unspecified, multicast, broadcast, reserved or cloud-metadata address, by literal
 * IP or well-known name, nor an IPv6 form that carries such an IPv4 address (IPv4-mapped,
 * IPv4-compatible, IPv4-translated, NAT64, 6to4, Teredo). The deliverer checks the address it connects to again, so neither a DNS
 * name nor a target stored before the flag was set can sneak past.
 */
import { BlockList } from 'node:net';
import { isAddressIn } from './addresses';

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address 255.255.255.255
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and IPv4-compatible (::127.0.0.1)
  ['::ffff:0:0:0', 96], // IPv4-translated (SIIT) of any IPv4 address
  ['64:ff9b::', 96], // NAT64 of any IPv4 address
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo
  ['2002::', 16], // 6to4
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10], // site-local
  ['ff00::', 8], // multicast
  ['fd00:ec2::254', 128],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

const BLOCKED_NAMES = /^(localhost|.*\.localhost|metadata\.google\.internal|metadata)\.?$/i;

/**
 * True when an IP address is one a strict server never calls. BlockList checks an IPv4-mapped
 * address (`::ffff:127.0.0.1`, `::ffff:7f00:1`) against the IPv4 subnets itself.
 */
export function isBlockedAddress(address: string): boolean {
  return isAddressIn(blocked, address);
}

/**
 * Why a target URL the subscribe schema took is refused, or null when it is acceptable. The
 * schema's pattern has already asked for an http(s) URL with a host and a port in range; the
 * WHATWG parser the deliverer uses has the last word on the host. Worded as the schema's
 * refusals are: `<field>: <what is wrong>`.
 */
export function forbiddenTargetReason(target: string, strict: boolean): string | null {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return 'target_url: is not a URL a WHATWG parser reads (its host, percent-decoded, is no valid name or address)';
  }
  if (!strict) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (BLOCKED_NAMES.test(host) || isBlockedAddress(host)) {
    return 'target_url: points at a loopback, private, link-local or metadata address';
  }
  return null;
}

/**
 * What makes two target URLs the same target: the request a delivery to each would send. Their
 * WHATWG form (`new URL(target).href`: scheme and host in lower case, the default port dropped,
 * dot segments resolved, an empty path as `/`), without the fragment (never sent), without an
 * empty query (`/hook?` is `/hook`), and with percent-encodings as RFC 3986 §6.2.2 compares
 * them (`%6F` is `o`; `%2f` is `%2F`). A stored target that does not parse (a hand-written seed)
 * is compared as it is.
 */
export function targetIdentity(target: string): string {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return target;
  }
  url.hash = '';
  url.pathname = normalEncoding(url.pathname);
  url.search = url.search === '?' ? '' : normalEncoding(url.search);
  return url.href;
}

/** ALPHA / DIGIT / "-" / "." / "_" / "~": RFC 3986's unreserved characters. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** Unreserved characters decoded, every other percent-encoding in capitals. */
function normalEncoding(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const character = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(character) ? character : `%${hex.toUpperCase()}`;
  });
}
