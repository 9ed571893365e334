import ipaddr from 'ipaddr.js';

type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Cloud metadata endpoints. Each already falls in a refused range (link-local, unique-local, CGNAT);
 * they are listed so the refusal does not depend on that and so logs can name the reason.
 */
const METADATA_ADDRESSES: readonly IpAddress[] = ['169.254.169.254', 'fd00:ec2::254', '100.100.100.200'].map((text) =>
  ipaddr.parse(text),
);

/** Names of metadata services that are refused by name, before any DNS resolution. */
const METADATA_HOSTNAMES: ReadonlySet<string> = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);

/** 2000::/3: the only IPv6 block allocated for global unicast; anything outside it is not a public server. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
/** 64:ff9b::/96, the well-known NAT64 prefix (RFC 6052): the low 32 bits are the IPv4 address reached. */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

/**
 * Why an address must not be fetched from (the name of its range, for logs — never for clients),
 * or undefined when it is a public unicast address.
 */
export function refusedAddressReason(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  return refusedReason(ipaddr.parse(address));
}

/** The same, for a hostname: names that are internal by definition, refused without resolving them. */
export function refusedHostnameReason(hostname: string): string | undefined {
  const name = normalizeHostname(hostname);
  // RFC 6761: localhost and everything under it is loopback, whatever DNS says.
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (METADATA_HOSTNAMES.has(name)) return 'cloudMetadata';
  return undefined;
}

/** Lower case without the trailing dot(s) of a fully qualified name, so `localhost.` is `localhost`. */
export function normalizeHostname(hostname: string): string {
  return hostname.toLowerCase().replace(/\.+$/, '');
}

function refusedReason(address: IpAddress): string | undefined {
  if (METADATA_ADDRESSES.some((metadata) => metadata.kind() === address.kind() && metadata.toString() === address.toString())) {
    return 'cloudMetadata';
  }
  return address.kind() === 'ipv4' ? refusedV4Reason(address as ipaddr.IPv4) : refusedV6Reason(address as ipaddr.IPv6);
}

function refusedV4Reason(address: ipaddr.IPv4): string | undefined {
  // ipaddr.js labels every special-purpose block (private, loopback, linkLocal, carrierGradeNat,
  // unspecified, broadcast, multicast, reserved, benchmarking…); only plain unicast is public.
  const range = address.range();
  return range === 'unicast' ? undefined : range;
}

function refusedV6Reason(address: ipaddr.IPv6): string | undefined {
  const range = address.range();
  // Forms that carry an IPv4 address the packets end up at: judge that address instead, so
  // ::ffff:127.0.0.1, 64:ff9b::a00:1 (NAT64 to 10.0.0.1) or 2002:c0a8:101:: (6to4 via 192.168.1.1) are refused.
  const embedded = embeddedIpv4(address, range);
  if (embedded !== undefined) {
    const reason = refusedReason(embedded);
    return reason === undefined ? undefined : `${range}:${reason}`;
  }
  if (range !== 'unicast') return range;
  // Outside 2000::/3 nothing is globally routed (::/96 IPv4-compatible, unallocated space, …).
  return address.match(GLOBAL_UNICAST_V6) ? undefined : 'notGlobalUnicast';
}

/** The IPv4 address an IPv6 address stands for, in the translation forms where that is unambiguous. */
function embeddedIpv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4 | undefined {
  const bytes = address.toByteArray();
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d (SIIT)
      return ipv4From(bytes.slice(12, 16));
    case 'rfc6052': // only the well-known /96 embeds at the end; 64:ff9b:1::/48 is local-use and refused below
      return address.match(NAT64_WELL_KNOWN) ? ipv4From(bytes.slice(12, 16)) : undefined;
    case '6to4': // 2002:aabb:ccdd::/48 routes through the 6to4 relay at a.b.c.d
      return ipv4From(bytes.slice(2, 6));
    default:
      return undefined;
  }
}

function ipv4From(bytes: number[]): ipaddr.IPv4 {
  return new ipaddr.IPv4(bytes);
}
