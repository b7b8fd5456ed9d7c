/** Which addresses an upstream may be: cloud metadata and link-local never; loopback and private ranges only when allowed. */
import { BlockList, isIP } from 'node:net'

/** Never a target, whatever the configuration: link-local and the cloud metadata services. */
const ALWAYS = new BlockList()
ALWAYS.addSubnet('169.254.0.0', 16, 'ipv4')
ALWAYS.addAddress('100.100.100.200', 'ipv4') // Alibaba Cloud metadata
ALWAYS.addAddress('168.63.129.16', 'ipv4') // Azure wire server
ALWAYS.addSubnet('fe80::', 10, 'ipv6')
ALWAYS.addAddress('fd00:ec2::254', 'ipv6') // AWS metadata over IPv6

/** Refused unless ALLOW_PRIVATE_UPSTREAMS=true: loopback, private, CGNAT, unspecified, multicast and reserved. */
const PRIVATE = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4')
}
PRIVATE.addAddress('::', 'ipv6')
PRIVATE.addAddress('::1', 'ipv6')
PRIVATE.addSubnet('fc00::', 7, 'ipv6')
PRIVATE.addSubnet('ff00::', 8, 'ipv6')

/** The eight 16-bit groups of an IPv6 address. */
function groupsOf(address: string): number[] {
  let text = address.toLowerCase()
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number)
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const missing = tail === undefined ? 0 : 8 - left.length - right.length
  return [...left, ...Array(missing).fill('0'), ...right].map((g) => parseInt(g, 16))
}

/**
 * The IPv4 address an IPv6 one carries, if any: IPv4-mapped (::ffff:a.b.c.d), NAT64
 * (64:ff9b::a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated) or 6to4 (2002:aabb:ccdd::/48).
 * Whether the host routes the last two to that IPv4 address depends on its tunnels; judged by the
 * address they carry, the table does not depend on them.
 */
function embeddedIpv4(address: string): string | undefined {
  const g = groupsOf(address)
  const zeroes = (from: number, to: number) => g.slice(from, to).every((x) => x === 0)
  const mapped = zeroes(0, 5) && g[5] === 0xffff
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && zeroes(2, 6)
  // `::` and `::1` are IPv6's own unspecified and loopback addresses, judged as IPv6.
  const compatible = zeroes(0, 6) && g[6] !== 0
  const [hi = 0, lo = 0] = g[0] === 0x2002 ? g.slice(1, 3) : g.slice(6)
  if (!mapped && !nat64 && !compatible && g[0] !== 0x2002) return undefined
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.')
}

/** Why an address may not be connected to, or undefined when it may. */
export function blockedReason(address: string, allowPrivate: boolean): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const family = isIP(bare)
  if (family === 0) return `"${address}" is not an IP address`
  const v4 = family === 6 ? embeddedIpv4(bare) : undefined
  const [checked, type] = v4 !== undefined ? [v4, 'ipv4' as const] : [bare, family === 4 ? ('ipv4' as const) : ('ipv6' as const)]
  if (ALWAYS.check(checked, type)) return `${address} is a link-local or cloud metadata address, which is never allowed`
  if (!allowPrivate && PRIVATE.check(checked, type)) {
    return `${address} is a loopback, private or reserved address (allowed only with ALLOW_PRIVATE_UPSTREAMS=true)`
  }
  return undefined
}
