/**
 * `format: idn-email`: a mailbox as RFC 5321 (§4.1.2) writes it, with the UTF-8 that RFC 6531
 * (§3.3) adds to its local part and domain. Its form is the `pattern` of
 * schemas/common/email.json, so that a tool reading only the contract checks it too:
 * - local part: a dot-string of atoms (`josé.smith`) or a quoted string (`"a b"`, `"a\"b"`);
 * - domain: a name of one label or more (`example.com`, `exämple.com`, `localhost`), or an
 *   address literal, `[192.0.2.1]` or `[IPv6:2001:db8::1]` (no other tag is registered with
 *   IANA, RFC 5321 §4.1.3).
 * What a pattern cannot say is checked here: at most 64 octets before the @ and 254 in all (the
 * 256 of a path, RFC 5321 §4.5.3.1.3, less its angle brackets), counted in UTF-8; a name's labels
 * by @hapi/address (punycode, lengths; a last label of digits only is an IPv4 address written
 * without its brackets, RFC 1123 §2.1); a literal's values. @hapi/address alone takes neither
 * quoted local parts nor address literals nor one-label domains. The pattern cannot backtrack:
 * each repeated part is a choice of characters no other choice beside it takes.
 */
import type * as HapiAddress from '@hapi/address';
import { domainToASCII, domainToUnicode } from 'node:url';
import emailSchema from './common/email.json';

const MAILBOX = new RegExp(emailSchema.pattern, 'u');
const IPV6_TAG = /^IPv6:/i;
const SNUM = /^\d{1,3}$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
/** Half of a surrogate pair on its own (with the `u` flag a whole pair is one code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const MAX_LOCAL_OCTETS = 64;
const MAX_ADDRESS_OCTETS = 254;

export function isEmailAddress(value: string): boolean {
  // A lone surrogate is no character of UTF-8.
  if (LONE_SURROGATE.test(value) || Buffer.byteLength(value) > MAX_ADDRESS_OCTETS) return false;
  if (!MAILBOX.test(value)) return false;
  // A quoted local part may hold an "@"; a domain never does.
  const at = value.lastIndexOf('@');
  return Buffer.byteLength(value.slice(0, at)) <= MAX_LOCAL_OCTETS && isDomain(value.slice(at + 1));
}

/**
 * The mailbox an address names, as one text: two addresses with the same key are one mailbox.
 * Letter case is ignored (Unicode's default lower-case mapping, the same in every locale, with
 * final sigma folded as Unicode's case folding does), the local part is compared in NFC
 * (RFC 6532 §3.1: `jose\u0301` is `josé`), and a domain name in its ASCII form (`münchen.de`
 * is `xn--mnchen-3ya.de`). Text that is not an address is folded as a local part is.
 */
export function mailboxKey(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return foldText(address);
  const domain = address.slice(at + 1);
  const ascii = domain.startsWith('[') ? '' : domainToASCII(domain);
  return `${foldText(address.slice(0, at))}@${ascii || domain.toLowerCase()}`;
}

/**
 * Text in NFC and lower case. Σ lower-cases to σ or to ς by its place in the word, and `.` does
 * not end a word: the two small sigmas are one letter here, as Unicode's case folding makes them.
 */
function foldText(text: string): string {
  return text.normalize('NFC').toLowerCase().replaceAll('ς', 'σ');
}

/** The domain, its form already checked: a literal's values, or a name's labels. */
function isDomain(domain: string): boolean {
  if (domain.startsWith('[')) {
    const literal = domain.slice(1, -1);
    return IPV6_TAG.test(literal)
      ? isIPv6Literal(literal.slice('IPv6:'.length))
      : isIPv4Literal(literal);
  }
  // Loaded on first use, like Ajv: a mock that has validated nothing has not paid for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { isDomainValid } = require('@hapi/address') as typeof HapiAddress;
  // No list of top-level domains is given (its default checks none): `acme.example` is a domain.
  return isDomainValid(domain, { minDomainSegments: 1 }) && isIdnaForm(domain);
}

/**
 * A name as IDNA2008 (RFC 5891 §5.3) writes one: its `xn--` labels decode, and its other labels
 * are already what IDNA's mapping (UTS 46, as Node's URL applies it) makes of them, but for
 * letter case. `a@xn--a.com` names no domain, and `exa\u00ADmple.com` (a soft hyphen) or full-width
 * `ｅｘａｍｐｌｅ.com` would be a second contact for the mailbox of `example.com`.
 */
function isIdnaForm(domain: string): boolean {
  const ascii = domainToASCII(domain);
  if (ascii === '') return false;
  const written = domain
    .toLowerCase()
    .split('.')
    .map((label) => (label.startsWith('xn--') ? domainToUnicode(label) : label))
    .join('.');
  return domainToUnicode(ascii) === written;
}

/** IPv4-address-literal: four Snum, each 1 to 3 digits up to 255 (leading zeros allowed). */
function isIPv4Literal(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => SNUM.test(part) && Number(part) <= 255);
}

/**
 * IPv6-addr (RFC 5321 §4.1.3): eight groups of 1 to 4 hex digits, or "::" and at most six
 * groups beside it; the last two groups may be written as an IPv4 address. `node:net`'s own
 * check follows RFC 4291 instead, which lets "::" stand for a single group and takes zones.
 */
function isIPv6Literal(text: string): boolean {
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  // An IPv4 tail counts as the two groups it fills.
  let hex = text;
  if (tail.includes('.')) {
    if (lastColon < 0 || !isIPv4Literal(tail)) return false;
    hex = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = hex.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  if (!groups.every((group) => HEX_GROUP.test(group))) return false;
  return halves.length === 1 ? groups.length === 8 : groups.length <= 6;
}
