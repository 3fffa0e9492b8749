/**
 * Sets of IP addresses, read as `net.BlockList` reads them: an address in any spelling
 * (`0:0:0:0:0:0:0:1`, an IPv4 address mapped into IPv6 as `::ffff:127.0.0.1` or
 * `::ffff:7f00:1`) is the address it spells.
 */
import { BlockList, isIP } from 'node:net';

/** True when `address` is an IP address in `list`; a name is in no list. */
export function isAddressIn(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * A loopback host: `localhost`, or an address of 127.0.0.0/8 or ::1, bracketed or not, in any
 * case, with or without a final dot.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  return bare === 'localhost' || isAddressIn(LOOPBACK, bare);
}
