import { isIPv4, isIPv6 } from 'node:net'
import { decodeError, encodeError, HEX, type PgType } from './pg-type.js'

/**
 * inet and cidr (network.c, inet_send: family byte — PGSQL_AF_INET 2, PGSQL_AF_INET6 3 — mask
 * bits, is_cidr, address length, address) and macaddr (mac.c, macaddr_send: 6 bytes). Values are
 * the text PostgreSQL prints (network_out → pg_inet_net_ntop).
 */
const PGSQL_AF_INET = 2
const PGSQL_AF_INET6 = 3

function ipv4Text(b: Buffer, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`
}

/**
 * inet_net_ntop_ipv6 (src/port/inet_net_ntop.c, from BIND): the longest run of two or more zero
 * words (the first on a tie) becomes "::", and an IPv4-compatible or -mapped address ends in
 * dotted quad form.
 */
function ipv6Text(b: Buffer, o: number): string {
  const words: number[] = []
  for (let i = 0; i < 8; i++) words.push((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!)
  let best = { base: -1, len: 0 }
  let cur = { base: -1, len: 0 }
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      cur = cur.base === -1 ? { base: i, len: 1 } : { base: cur.base, len: cur.len + 1 }
      if (cur.len > best.len) best = cur
    } else cur = { base: -1, len: 0 }
  }
  if (best.len < 2) best = { base: -1, len: 0 }
  let out = ''
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':'
      continue
    }
    if (i !== 0) out += ':'
    if (
      i === 6 &&
      best.base === 0 &&
      (best.len === 6 || (best.len === 7 && words[7] !== 0x0001) || (best.len === 5 && words[5] === 0xffff))
    ) {
      out += ipv4Text(b, o + 12)
      break
    }
    out += words[i]!.toString(16)
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ':'
  return out
}

function decodeInet(b: Buffer, o: number, cidr: boolean): string {
  const family = b[o]
  const bits = b[o + 1]!
  const len = b[o + 3]
  let text: string
  let max: number
  if (family === PGSQL_AF_INET && len === 4) {
    text = ipv4Text(b, o + 4)
    max = 32
  } else if (family === PGSQL_AF_INET6 && len === 16) {
    text = ipv6Text(b, o + 4)
    max = 128
  } else throw decodeError(cidr ? 'cidr' : 'inet', 'unknown address family')
  return cidr || bits !== max ? `${text}/${bits}` : text
}

function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number)
}

function ipv6Bytes(text: string): number[] {
  let head = text
  let v4: number[] = []
  const lastColon = text.lastIndexOf(':')
  if (text.includes('.')) {
    v4 = ipv4Bytes(text.slice(lastColon + 1))
    head = `${text.slice(0, lastColon + 1)}0:0`
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined]
  const l = left ? left.split(':') : []
  const r = right ? right.split(':') : []
  const groups = right === undefined ? l : [...l, ...Array<string>(8 - l.length - r.length).fill('0'), ...r]
  const out: number[] = []
  for (const g of groups) {
    const w = Number.parseInt(g, 16)
    out.push(w >> 8, w & 0xff)
  }
  if (v4.length === 4) out.splice(12, 4, ...v4)
  return out
}

function toInet(value: unknown, cidr: boolean): { family: number; bits: number; addr: number[] } {
  const type = cidr ? 'cidr' : 'inet'
  if (typeof value !== 'string') throw encodeError(type, "an address string such as '10.0.0.1/8' or '::1'")
  const [host = '', mask, extra] = value.trim().split('/')
  const v4 = isIPv4(host)
  // node:net accepts an IPv6 zone ('fe80::1%eth0'), which inet_in does not: it would be dropped.
  if (
    extra !== undefined ||
    host.includes('%') ||
    (!v4 && !isIPv6(host)) ||
    (mask !== undefined && !/^\d{1,3}$/.test(mask))
  ) {
    throw encodeError(type, "an address string such as '10.0.0.1/8' or '::1'")
  }
  const max = v4 ? 32 : 128
  const bits = mask === undefined ? max : Number(mask)
  if (bits > max) throw encodeError(type, `a mask length of at most ${max}`)
  const addr = v4 ? ipv4Bytes(host) : ipv6Bytes(host)
  // cidr_recv refuses set bits right of the mask ("invalid external cidr value").
  if (cidr) {
    for (let i = 0; i < addr.length; i++) {
      const keep = Math.max(0, Math.min(8, bits - 8 * i))
      if ((addr[i]! & (0xff >> keep)) !== 0) throw encodeError(type, 'no bits set to the right of the mask')
    }
  }
  return { family: v4 ? PGSQL_AF_INET : PGSQL_AF_INET6, bits, addr }
}

function inetType(cidr: boolean): PgType {
  const canonical = (v: unknown): string => {
    const { family, bits, addr } = toInet(v, cidr)
    return decodeInet(Buffer.from([family, bits, cidr ? 1 : 0, addr.length, ...addr]), 0, cidr)
  }
  return {
    name: cidr ? 'cidr' : 'inet',
    decode: (b, o) => decodeInet(b, o, cidr),
    encode: (v) => {
      const { family, bits, addr } = toInet(v, cidr)
      return Buffer.from([family, bits, cidr ? 1 : 0, addr.length, ...addr])
    },
    parse: (s) => s,
    serialize: canonical,
    stringsToServer: true,
  }
}

export const inetNetType = inetType(false)
export const cidrType = inetType(true)

// macaddr_in: six hex pairs, separated by ':', '-' or '.', or in groups, or not at all.
function macBytes(value: unknown): Buffer {
  if (typeof value === 'string') {
    const hex = value.trim().replace(/[:.-]/g, '')
    if (/^[0-9a-f]{12}$/i.test(hex)) return Buffer.from(hex, 'hex')
  }
  throw encodeError('macaddr', "a MAC address string such as '08:00:2b:01:02:03'")
}

const macText = (b: Buffer, o: number): string =>
  `${HEX[b[o]!]}:${HEX[b[o + 1]!]}:${HEX[b[o + 2]!]}:${HEX[b[o + 3]!]}:${HEX[b[o + 4]!]}:${HEX[b[o + 5]!]}`

export const macaddrType: PgType = {
  name: 'macaddr',
  decode: macText,
  encode: macBytes,
  parse: (s) => s,
  serialize: (v) => macText(macBytes(v), 0),
  stringsToServer: true,
}
