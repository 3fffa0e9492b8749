/**
 * `format: idn-email` (schemas/email-address.ts): a mailbox of RFC 5321 with RFC 6531's UTF-8,
 * each case named by what makes it an address or not.
 */
import assert from 'node:assert/strict';
import { isEmailAddress, mailboxKey } from '../../schemas/email-address';
import emailSchema from '../../schemas/common/email.json';
import { contract } from '../../schemas/validator';

/** Four labels of 61 letters: 247 octets, each label under the 63 a label may have. */
const DOMAIN_OF_247 = Array.from({ length: 4 }, () => 'd'.repeat(61)).join('.');

const ADDRESSES: [string, string][] = [
  ['plain', 'lead@example.com'],
  ['a non-ASCII local part', 'josé@example.com'],
  ['a non-ASCII domain', 'a@exämple.com'],
  ['both, in CJK', '用户@例子.广告'],
  ['a character outside the BMP', '😀@example.com'],
  ['every atext character', "a!#$%&'*+-/=?^_`{|}~@example.com"],
  ['dotted atoms', 'first.middle.last@example.com'],
  ['a quoted local part with a space', '"a b"@example.com'],
  ['a quoted local part with an escaped quote', '"a\\"b"@example.com'],
  ['a quoted local part holding an @', '"a@b"@example.com'],
  ['a quoted non-ASCII local part', '"josé smith"@example.com'],
  ['an empty quoted local part', '""@example.com'],
  ['a one-label domain', 'a@localhost'],
  ['an IPv4 address literal', 'a@[192.0.2.1]'],
  ['an IPv6 address literal', 'a@[IPv6:2001:db8::1]'],
  ['an IPv6 literal, tag in small letters', 'a@[ipv6:::1]'],
  ['an IPv6 literal ending in IPv4', 'a@[IPv6:::ffff:192.0.2.1]'],
  ['an IPv6 literal of eight groups', 'a@[IPv6:1:2:3:4:5:6:7:8]'],
  ['an IPv6 literal of six groups and IPv4', 'a@[IPv6:1:2:3:4:5:6:192.0.2.1]'],
  ['an IPv4 literal with leading zeros (Snum)', 'a@[192.000.002.001]'],
  ['a punycode domain', 'a@xn--e1afmkfd.xn--p1ai'],
  ['a non-ASCII domain in capitals', 'a@EXÄMPLE.com'],
  ['a domain IDNA keeps an ß in', 'a@straße.de'],
  ['a local part of 64 octets', `${'x'.repeat(64)}@example.com`],
  ['254 octets in all', `${'l'.repeat(6)}@${DOMAIN_OF_247}`],
];

const NOT_ADDRESSES: [string, string][] = [
  ['no @', 'nope'],
  ['nothing before the @', '@example.com'],
  ['nothing after the @', 'a@'],
  ['two @ outside quotes', 'a@b@example.com'],
  ['a space outside quotes', 'a b@example.com'],
  ['a leading dot', '.a@example.com'],
  ['two dots in a row', 'a..b@example.com'],
  ['a trailing dot in the local part', 'a.@example.com'],
  ['a quote inside a quoted string, unescaped', '"a"b"@example.com'],
  ['an unterminated quoted string', '"ab@example.com'],
  ['a control character in quotes', '"a\u0001b"@example.com'],
  ['a lone surrogate', '\ud800@example.com'],
  ['a local part of 65 octets', `${'x'.repeat(65)}@example.com`],
  ['65 octets, counted in UTF-8', `${'é'.repeat(33)}@example.com`],
  ['255 octets in all', `${'l'.repeat(7)}@${DOMAIN_OF_247}`],
  ['a domain label starting with a hyphen', 'a@-example.com'],
  ['an underscore in the domain', 'a@ex_ample.com'],
  ['a trailing dot in the domain', 'a@example.com.'],
  ['a domain of digits only, without brackets', 'a@192.0.2.1'],
  ['an IPv4 literal out of range', 'a@[300.0.2.1]'],
  ['an IPv6 literal without its tag', 'a@[2001:db8::1]'],
  ['an IPv6 literal with a zone', 'a@[IPv6:fe80::1%eth0]'],
  ['an IPv6 literal whose "::" stands for one group', 'a@[IPv6:1:2:3:4:5:6::7]'],
  ['an IPv6 literal of seven groups', 'a@[IPv6:1:2:3:4:5:6:7]'],
  ['an IPv6 literal with two "::"', 'a@[IPv6:1::2::3]'],
  ['an IPv6 literal with five groups, "::" and IPv4', 'a@[IPv6:1:2:3:4:5::192.0.2.1]'],
  ['an unregistered literal tag', 'a@[tag:content]'],
  ['an unclosed literal', 'a@[192.0.2.1'],
  ['punycode that decodes to nothing', 'a@xn--a.com'],
  ['punycode with invalid digits', 'a@xn--zz.com'],
  ["a soft hyphen, which IDNA's mapping drops", 'a@exa\u00ADmple.com'],
  ["full-width letters, which IDNA's mapping makes ASCII", 'a@ＥＸＡＭＰＬＥ.com'],
  ['a domain not in NFC', 'a@exa\u0308mple.com'],
];

describe('idn-email: a mailbox of RFC 5321 with the UTF-8 of RFC 6531', () => {
  for (const [why, address] of ADDRESSES) {
    test(`an address: ${why}`, () => assert.equal(isEmailAddress(address), true, address));
  }
  for (const [why, text] of NOT_ADDRESSES) {
    test(`not an address: ${why}`, () => assert.equal(isEmailAddress(text), false, text));
  }

  // What a tool that reads only the contract checks (Prism ignores idn-email): the pattern takes
  // every address, and refuses all that is not one but octet counts, IDNA rules of a name's
  // labels and an IPv6 literal's groups.
  test("the schema's pattern alone takes every address, and refuses the rest but what only format sees", () => {
    const pattern = new RegExp(emailSchema.pattern, 'u');
    for (const [, email] of ADDRESSES) assert.ok(pattern.test(email), email);
    const onlyFormat = [
      '65 octets, counted in UTF-8',
      '255 octets in all',
      'a lone surrogate',
      'an IPv6 literal with a zone',
      'an IPv6 literal whose "::" stands for one group',
      'an IPv6 literal of seven groups',
      'an IPv6 literal with two "::"',
      'an IPv6 literal with five groups, "::" and IPv4',
      'punycode that decodes to nothing',
      'punycode with invalid digits',
      "a soft hyphen, which IDNA's mapping drops",
      "full-width letters, which IDNA's mapping makes ASCII",
      'a domain not in NFC',
    ];
    for (const [why, text] of NOT_ADDRESSES) {
      if (!onlyFormat.includes(why)) assert.ok(!pattern.test(text), `${why}: ${text}`);
    }
  });

  test('is the check behind the schema: common/email takes each address and no other', () => {
    for (const [, email] of ADDRESSES) assert.ok(contract.validate('common/email', email).valid);
    for (const [, text] of NOT_ADDRESSES) {
      assert.equal(contract.validate('common/email', text).valid, false, text);
    }
  });
});

describe('mailboxKey: the mailbox an address names', () => {
  test('ignores letter case, a decomposed local part and the writing of a domain name', () => {
    const key = mailboxKey('josé@münchen.de');
    for (const same of ['JOSÉ@MÜNCHEN.DE', 'jose\u0301@münchen.de', 'josé@xn--mnchen-3ya.de']) {
      assert.equal(mailboxKey(same), key, same);
    }
    assert.equal(key, 'josé@xn--mnchen-3ya.de');
    // A capital sigma before a dot lower-cases to σ; typed in small letters it is ς.
    assert.equal(mailboxKey('ΝΙΚΟΣ.ΠΑΠΑΣ@example.gr'), mailboxKey('νικος.παπας@example.gr'));
  });

  test('tells other mailboxes apart', () => {
    assert.notEqual(mailboxKey('jose@münchen.de'), mailboxKey('josé@münchen.de'));
    assert.notEqual(mailboxKey('a@strasse.de'), mailboxKey('a@straße.de'));
    // An address literal keeps its text, lower-cased; a quoted local part keeps its @.
    assert.equal(mailboxKey('A@[IPv6:2001:DB8::1]'), 'a@[ipv6:2001:db8::1]');
    assert.equal(mailboxKey('"a@b"@Example.com'), '"a@b"@example.com');
  });
});
