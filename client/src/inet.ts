/**
 * Text forms of the addresses rtnetlink carries as bytes: IPv4, IPv6
 * (RFC 5952, as `inet_ntop` and iproute2 print them) and link-layer
 * addresses. Pure functions.
 * @module
 */

/** `192.0.2.1`. */
function ipv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** `2001:db8::1`: the longest run of two or more zero groups becomes `::` (the first, if tied). */
function ipv6(b: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  // IPv4-mapped (::ffff:a.b.c.d) keeps the dotted tail, like inet_ntop.
  if (best.at === 0 && best.len === 5 && groups[5] === 0xffff) return `::ffff:${ipv4(b.subarray(12))}`;
  if (best.len < 2) return hex(groups);
  return `${hex(groups.slice(0, best.at))}::${hex(groups.slice(best.at + best.len))}`;
}

/**
 * Formats an IP address from its bytes: 4 bytes as IPv4, 16 as IPv6, any
 * other length as colon-separated hex (link-layer style).
 */
export function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return ipv4(bytes);
  if (bytes.length === 16) return ipv6(bytes);
  return formatLinkAddress(bytes);
}

/** Formats a link-layer address: `02:00:00:00:00:01`. */
export function formatLinkAddress(bytes: Uint8Array): string {
  return Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join(':');
}
