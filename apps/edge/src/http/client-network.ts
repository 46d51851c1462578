import { isIPv4, isIPv6 } from "node:net";

/**
 * The network a per-IP limit counts a client by: an IPv4 address on its own, an IPv6
 * address by its first `ipv6PrefixBits` bits (a subscriber gets a /56 or /64 and can
 * rotate through all of it), written as a prefix such as "2001:db8:0:ab00::/56".
 */
export function clientNetwork(address: string, ipv6PrefixBits: number): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address)) return address;
  const withoutZone = address.replace(/%.*$/, "");
  if (!isIPv6(withoutZone)) return address;
  const groups = ipv6Groups(withoutZone);
  const masked = groups.map((group, i) => {
    const bitsLeft = Math.max(0, Math.min(16, ipv6PrefixBits - i * 16));
    return group & (0xffff << (16 - bitsLeft)) & 0xffff;
  });
  return `${formatIPv6(masked)}/${ipv6PrefixBits}`;
}

/** The eight 16-bit groups of a valid IPv6 address ("::" expanded, a dotted tail split). */
function ipv6Groups(address: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const hex = dotted
    ? address.slice(0, dotted.index) +
      [0, 2]
        .map((i) => ((Number(dotted[i + 1]) << 8) | Number(dotted[i + 2])).toString(16))
        .join(":")
    : address;
  const [head, tail] = hex.split("::") as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** RFC 5952's canonical text: lowercase, the longest run of two or more zero groups as "::". */
function formatIPv6(groups: number[]): string {
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8;) {
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > best.length) best = { at: i, length: end - i };
    i = end === i ? i + 1 : end;
  }
  const text = (part: number[]) => part.map((g) => g.toString(16)).join(":");
  if (best.at < 0) return text(groups);
  return `${text(groups.slice(0, best.at))}::${text(groups.slice(best.at + best.length))}`;
}
