import assert from 'node:assert/strict';
import { BlockList, isIP } from 'node:net';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ApiError } from '@stt/shared';
import { assertUrlAllowed, isHostAllowed, parseAllowedHosts, refusedAddressReason, refusedHostnameReason } from '../packages/api-server/src/url-fetch/index.js';
import { fuzz } from './support/fuzz.js';

/** No `xn--` label: such a label is punycode, and one that does not decode makes no URL at all (`http://xn--0.localhost`). */
const notPunycode = (name: string): boolean => !/(^|\.)xn--/.test(name);

/*
 * The URL policy (address-policy, allowed-hosts, assert-url-allowed), in process, against an
 * oracle written from the IANA special-purpose address registries: every address that is not
 * globally reachable is refused in every spelling a URL can give it (decimal, hex, octal, short
 * forms, IPv4-mapped, NAT64 and 6to4 IPv6, percent-encoding, full-width digits), names that are
 * local by definition are refused without a lookup, ordinary public addresses are let through,
 * and the operator's allow-list matches exactly the host (and port) it names.
 *
 * No case resolves a name: every URL handed to assertUrlAllowed has an IP literal host or one
 * refused by name, so nothing leaves the machine.
 */

const V4_REFUSED = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4'];
/** Listed by IANA as globally reachable, refused by the policy all the same (AS112, AMT): either answer is right. */
const V4_EITHER = ['192.31.196.0/24', '192.52.193.0/24', '192.175.48.0/24'];
/** Not globally reachable (or not routed at all) in IPv6; 2000::/3 aside, everything is refused, bar the forms that embed IPv4. */
const V6_REFUSED = ['::/128', '::1/128', '64:ff9b:1::/48', '100::/64', '2001::/23', '2001:db8::/32', '3fff::/20', '5f00::/16', 'fc00::/7', 'fe80::/10', 'fec0::/10', 'ff00::/8'];
/** The registry's reachable exceptions inside 2001::/23, and AS112 elsewhere. */
const V6_EITHER = ['2001:1::/32', '2001:3::/32', '2001:4:112::/48', '2001:20::/28', '2001:30::/28', '2620:4f:8000::/48'];

function blockList(v4: readonly string[], v6: readonly string[]): BlockList {
  const list = new BlockList();
  for (const range of v4) list.addSubnet(range.split('/')[0]!, Number(range.split('/')[1]), 'ipv4');
  for (const range of v6) list.addSubnet(range.split('/')[0]!, Number(range.split('/')[1]), 'ipv6');
  return list;
}
const refusedList = blockList(V4_REFUSED, V6_REFUSED);
const eitherList = blockList(V4_EITHER, V6_EITHER);

type Verdict = 'refused' | 'public' | 'either';

function v4Verdict(address: string): Verdict {
  if (refusedList.check(address, 'ipv4')) return 'refused';
  return eitherList.check(address, 'ipv4') ? 'either' : 'public';
}

/** The oracle for an IPv6 address given as 8 groups: forms that carry an IPv4 address are judged by it. */
function v6Verdict(groups: readonly number[]): Verdict {
  const hex = groups.map((group) => group.toString(16)).join(':');
  const embedded = (high: number, low: number): string => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return v4Verdict(embedded(g6, g7)); // ::ffff:a.b.c.d
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) return v4Verdict(embedded(g6, g7)); // ::ffff:0:a.b.c.d
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return v4Verdict(embedded(g6, g7)); // NAT64
  if (g0 === 0x2002) return v4Verdict(embedded(g1, g2)); // 6to4
  if (refusedList.check(hex, 'ipv6')) return 'refused';
  if (eitherList.check(hex, 'ipv6')) return 'either';
  return g0 >= 0x2000 && g0 <= 0x3fff ? 'public' : 'refused';
}

// Addresses: uniform, inside or at the edges of every listed range, and IPv6 forms embedding IPv4.
const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
const v4FromNumber = (value: number): [number, number, number, number] => [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
const numberOf = (text: string): number => text.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
const v4InRange = fc.tuple(fc.constantFrom(...V4_REFUSED, ...V4_EITHER), fc.nat(), fc.constantFrom('inside', 'first', 'last', 'before', 'after')).map(([range, offset, where]) => {
  const [base, bits] = [numberOf(range.split('/')[0]!), Number(range.split('/')[1])];
  const size = 2 ** (32 - bits);
  const position = { inside: offset % size, first: 0, last: size - 1, before: -1, after: size }[where];
  return v4FromNumber((base + position + 2 ** 32) % 2 ** 32);
});
const v4 = fc.oneof(octets, v4InRange);
const group = fc.integer({ min: 0, max: 0xffff });
const v6 = fc.oneof(
  fc.array(group, { minLength: 8, maxLength: 8 }),
  fc.tuple(fc.constantFrom(...V6_REFUSED, ...V6_EITHER, '2000::/3', '2600::/12', '2002::/16'), fc.array(group, { minLength: 8, maxLength: 8 })).map(([range, random]) => {
    const [prefix, bits] = [range.split('/')[0]!, Number(range.split('/')[1])];
    const fixed = expandV6(prefix);
    return fixed.map((value, index) => {
      const keep = Math.max(0, Math.min(16, bits - index * 16));
      const mask = keep === 0 ? 0 : (0xffff << (16 - keep)) & 0xffff;
      return (value & mask) | (random[index]! & ~mask & 0xffff);
    });
  }),
  fc.tuple(fc.constantFrom('mapped', 'siit', 'nat64', '6to4'), v4, group).map(([form, [a, b, c, d], extra]) => {
    const high = (a << 8) | b;
    const low = (c << 8) | d;
    if (form === 'mapped') return [0, 0, 0, 0, 0, 0xffff, high, low];
    if (form === 'siit') return [0, 0, 0, 0, 0xffff, 0, high, low];
    if (form === 'nat64') return [0x64, 0xff9b, 0, 0, 0, 0, high, low];
    return [0x2002, high, low, extra, 0, 0, 0, 1];
  }),
);

function expandV6(text: string): number[] {
  const [head = '', tail = ''] = text.split('::');
  const left = head === '' ? [] : head.split(':').map((part) => parseInt(part, 16));
  const right = tail === '' ? [] : tail.split(':').map((part) => parseInt(part, 16));
  return [...left, ...Array.from({ length: 8 - left.length - right.length }, () => 0), ...right];
}

/** The ways a URL's host can spell an IPv4 address, which the URL parser turns back into it. */
const v4Spelling = fc.tuple(v4, fc.constantFrom('dotted', 'decimal', 'hex', 'octal', 'mixed', 'short2', 'short3', 'trailing-dot', 'percent', 'fullwidth', 'ideographic', 'mapped', 'mapped-hex')).map(([parts, form]) => {
  const [a, b, c, d] = parts;
  const value = numberOf(parts.join('.'));
  const dotted = parts.join('.');
  const spelled: Record<string, string> = {
    dotted,
    decimal: String(value),
    hex: `0x${value.toString(16)}`,
    octal: parts.map((part) => `0${part.toString(8)}`).join('.'),
    mixed: `0x${a.toString(16).toUpperCase()}.${b}.0${c.toString(8)}.${d}`,
    short2: `${a}.${(b << 16) + (c << 8) + d}`,
    short3: `${a}.${b}.${(c << 8) + d}`,
    'trailing-dot': `${dotted}.`,
    percent: dotted.replaceAll('.', '%2e'),
    fullwidth: [...dotted].map((char) => (char === '.' ? '\uff0e' : String.fromCharCode(0xff10 + Number(char)))).join(''),
    ideographic: dotted.replaceAll('.', '\u3002'),
    mapped: `[::ffff:${dotted}]`,
    'mapped-hex': `[::FFFF:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}]`,
  };
  return { host: spelled[form]!, verdict: v4Verdict(dotted), address: dotted };
});
const v6Spelling = fc.tuple(v6, fc.constantFrom('compressed', 'full', 'upper', 'dotted-tail')).map(([groups, form]) => {
  const full = groups.map((value) => value.toString(16).padStart(4, '0')).join(':');
  const compressed = groups.map((value) => value.toString(16)).join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  const tail = `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  const spelled: Record<string, string> = {
    compressed,
    full,
    upper: full.toUpperCase(),
    'dotted-tail': `${groups.slice(0, 6).map((value) => value.toString(16)).join(':')}:${tail}`,
  };
  return { host: `[${spelled[form]!}]`, verdict: v6Verdict(groups), address: full };
});

async function outcome(url: string, allowed: readonly string[] = []): Promise<'allowed' | string> {
  try {
    await assertUrlAllowed(url, allowed);
    return 'allowed';
  } catch (error) {
    assert.ok(error instanceof ApiError, `an ApiError, not ${String(error)}`);
    return error.code;
  }
}

/** The URL's host, when the URL parser reads it as an IP address (so checking it needs no lookup). */
function ipHost(url: string): string | undefined {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return undefined;
  }
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) === 0 ? undefined : bare;
}

describe('fuzzing the URL policy', () => {
  test('fuzz url-addresses: every address that is not globally reachable is refused, ordinary public ones are not', async () => {
    const counts = { refused: 0, public: 0, either: 0 };
    await fuzz(
      'url-addresses',
      fc.property(fc.oneof(v4.map((parts) => ({ address: parts.join('.'), verdict: v4Verdict(parts.join('.')) })), v6.map((groups) => ({ address: groups.map((value) => value.toString(16)).join(':'), verdict: v6Verdict(groups) }))), ({ address, verdict }) => {
        counts[verdict]++;
        const reason = refusedAddressReason(address);
        if (verdict === 'refused') assert.notEqual(reason, undefined, `${address} must be refused`);
        if (verdict === 'public') assert.equal(reason, undefined, `${address} is public, refused as ${reason}`);
      }),
      { budgetMs: 20_000, summary: () => `${counts.refused} internal, ${counts.public} public, ${counts.either} either` },
    );
  });

  test('fuzz url-spellings: a URL spelling an address in any form gets the address’s verdict', async () => {
    let notIp = 0;
    await fuzz(
      'url-spellings',
      fc.asyncProperty(
        fc.oneof(v4Spelling, v6Spelling),
        fc.constantFrom('http', 'https', 'HTTP'),
        fc.option(fc.integer({ min: 1, max: 65535 })),
        fc.constantFrom('/', '/a.wav', '/x?y=1#z', ''),
        async ({ host, verdict, address }, scheme, port, path) => {
          const url = `${scheme}://${host}${port === null ? '' : `:${port}`}${path}`;
          const parsed = ipHost(url);
          // A spelling the URL parser does not read as an address is a name: it would be looked up, not fetched from the address.
          if (parsed === undefined) {
            notIp++;
            assert.ok(verdict !== 'refused' || !/^\d+$/.test(host), `${host} is not read as ${address}`);
            return;
          }
          const result = await outcome(url);
          if (verdict === 'refused') assert.equal(result, 'URL_NOT_ALLOWED', `${url} (${address})`);
          if (verdict === 'public') assert.equal(result, 'allowed', `${url} (${address})`);
        },
      ),
      { budgetMs: 20_000, caseTimeoutMs: 2000, summary: () => `${notIp} not read as an address` },
    );
  });

  test('fuzz url-hostnames: names local by definition are refused without a lookup, in any case and with trailing dots', async () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/).filter(notPunycode);
    const name = fc.tuple(fc.array(label, { maxLength: 2 }), fc.constantFrom('localhost', 'metadata.google.internal', 'metadata.goog', 'metadata'), fc.constantFrom('', '.', '..'), fc.boolean()).map(([subdomains, base, dots, upper]) => {
      const subs = base === 'localhost' ? subdomains : [];
      const text = [...subs, base].join('.') + dots;
      return upper ? text.toUpperCase() : text;
    });
    await fuzz(
      'url-hostnames',
      fc.asyncProperty(name, fc.constantFrom('http', 'https'), async (host, scheme) => {
        const url = `${scheme}://${host}/a.wav`;
        // Checked by name first: were it not refused, assertUrlAllowed would resolve it.
        assert.notEqual(refusedHostnameReason(new URL(url).hostname), undefined, `${host} is refused by name`);
        assert.equal(await outcome(url), 'URL_NOT_ALLOWED', url);
      }),
      { budgetMs: 20_000, caseTimeoutMs: 2000 },
    );
  });

  test('fuzz url-allowed-hosts: an allow-list entry lets through exactly its host (and port), and any text is parsed or refused with a sentence', async () => {
    const port = fc.integer({ min: 1, max: 65535 });
    const entryHost = fc.oneof(fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?(\.[a-z][a-z0-9]{0,5}){0,2}$/).filter(notPunycode), v4Spelling.map((spelled) => spelled.address), v6Spelling.map((spelled) => spelled.host));
    await fuzz(
      'url-allowed-hosts',
      fc.asyncProperty(
        entryHost,
        fc.option(port),
        fc.boolean(),
        port,
        fc.string({ maxLength: 30 }),
        async (host, entryPort, samePort, urlPort, garbage) => {
          // Any text: parsed, or refused with an Error naming the entry (what a bad URL_FETCH_ALLOWED_HOSTS says at start-up).
          try {
            parseAllowedHosts([garbage]);
          } catch (error) {
            assert.ok(error instanceof Error && error.message.includes('allow-list entry'), String(error));
          }
          const entry = entryPort === null ? host : `${host}:${entryPort}`;
          const allowed = parseAllowedHosts([entry]);
          const effectivePort = samePort && entryPort !== null ? entryPort : urlPort;
          const url = new URL(`http://${host}:${effectivePort}/a.wav`);
          const expected = entryPort === null || entryPort === effectivePort;
          assert.equal(isHostAllowed(url, allowed), expected, `${url.href} against ${entry}`);
          // An allowed IP literal is fetched whatever its range (no lookup for it either).
          if (expected && ipHost(url.href) !== undefined) assert.equal(await outcome(url.href, [entry]), 'allowed', `${url.href} with ${entry} allowed`);
        },
      ),
      { budgetMs: 20_000, caseTimeoutMs: 2000 },
    );
  });
});
