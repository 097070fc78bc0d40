import { isIPv6 } from 'node:net'
import { InvalidArgumentError } from '../errors/classes.js'

/** Which wire protocol a URL scheme selects. */
export type ConnectionProtocol = 'postgres' | 'mysql'

const SCHEMES: Readonly<Record<string, ConnectionProtocol>> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
}

/**
 * A connection URL taken apart into libpq's connection keywords (libpq docs §34.1.1.2 "Connection
 * URIs"): `host` and `port` are comma-separated lists, one entry per host, an empty port entry
 * meaning the default. Query parameters are kept as given; the resolver gives them meaning.
 */
export interface ParsedConnectionUrl {
  protocol: ConnectionProtocol
  /** The scheme as written, without ':' (e.g. 'mariadb'). */
  scheme: string
  keywords: Map<string, string>
}

function bad(part: string, why: string): never {
  throw new InvalidArgumentError(`connection URL: ${part} ${why}`)
}

/** Percent-decodes one part; `part` names it in the error, the value itself is never echoed. */
function decode(value: string, part: string): string {
  try {
    return decodeURIComponent(value)
  } catch (cause) {
    throw new InvalidArgumentError(`connection URL: ${part} is not valid percent-encoding`, { cause })
  }
}

/**
 * One `host[:port]` of the authority. IPv6 literals are bracketed (RFC 3986 §3.2.2); a host that
 * decodes to a path starting with '/' is a Unix socket (libpq: the socket directory, MySQL: the
 * socket file), which libpq writes percent-encoded: `postgresql://%2Fvar%2Frun%2Fpostgresql/db`.
 * Host names are checked by the resolver, which also sees hosts given as `?host=`.
 */
function parseHostPort(entry: string): [host: string, port: string] {
  let host: string
  let rest: string
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']')
    if (close === -1) bad('host', `"${entry}" has an unclosed '['`)
    host = entry.slice(1, close)
    if (!isIPv6(host)) bad('host', `"${host}" is not an IPv6 address`)
    rest = entry.slice(close + 1)
  } else {
    const colon = entry.indexOf(':')
    host = decode(colon === -1 ? entry : entry.slice(0, colon), 'host')
    rest = colon === -1 ? '' : entry.slice(colon)
  }
  if (rest === '') return [host, '']
  if (!rest.startsWith(':')) bad('host', `"${entry}" has text after the address`)
  return [host, rest.slice(1)]
}

/**
 * Parses `scheme://[user[:password]@][host[:port][,...]][/database][?key=value&...]`.
 * WHATWG `URL` is not used: it rejects libpq's multi-host authority and decodes '+' in queries as
 * a space, which libpq does not.
 */
export function parseConnectionUrl(url: string): ParsedConnectionUrl {
  if (typeof url !== 'string') bad('value', 'must be a string')
  const schemeEnd = url.indexOf('://')
  const scheme = schemeEnd === -1 ? '' : url.slice(0, schemeEnd).toLowerCase()
  const protocol = Object.hasOwn(SCHEMES, scheme) ? SCHEMES[scheme] : undefined
  if (protocol === undefined) {
    bad('scheme', 'must be postgres://, postgresql://, mysql:// or mariadb://')
  }
  const keywords = new Map<string, string>()
  const afterScheme = url.slice(schemeEnd + 3)
  if (afterScheme.includes('#')) bad('fragment', "('#') is not allowed; percent-encode '#' as %23")

  const queryStart = afterScheme.indexOf('?')
  const beforeQuery = queryStart === -1 ? afterScheme : afterScheme.slice(0, queryStart)
  const slash = beforeQuery.indexOf('/')
  const authority = slash === -1 ? beforeQuery : beforeQuery.slice(0, slash)

  // The last '@' ends the user info, as in WHATWG URL, so an unencoded '@' in a password still parses.
  const at = authority.lastIndexOf('@')
  if (at !== -1) {
    const userinfo = authority.slice(0, at)
    const colon = userinfo.indexOf(':')
    const user = decode(colon === -1 ? userinfo : userinfo.slice(0, colon), 'user')
    if (user !== '') keywords.set('user', user)
    if (colon !== -1) keywords.set('password', decode(userinfo.slice(colon + 1), 'password'))
  }
  const hostList = authority.slice(at + 1)
  if (hostList !== '') {
    const hosts: string[] = []
    const ports: string[] = []
    for (const entry of hostList.split(',')) {
      const [host, port] = parseHostPort(entry)
      hosts.push(host)
      ports.push(port)
    }
    if (hosts.some((h) => h !== '')) keywords.set('host', hosts.join(','))
    if (ports.some((p) => p !== '')) keywords.set('port', ports.join(','))
  }

  if (slash !== -1) {
    const path = beforeQuery.slice(slash + 1)
    if (path.includes('/')) bad('database', "has an unencoded '/'; percent-encode it as %2F")
    const database = decode(path, 'database')
    if (database !== '') keywords.set('dbname', database)
  }

  if (queryStart !== -1) parseQuery(afterScheme.slice(queryStart + 1), keywords)
  return { protocol, scheme, keywords }
}

/** `key=value&...`; a later key overrides an earlier one and the host part, as in libpq. */
function parseQuery(query: string, keywords: Map<string, string>): void {
  if (query === '') return
  for (const [i, pair] of query.split('&').entries()) {
    const eq = pair.indexOf('=')
    // Not echoed: an unencoded '?' in a password puts the rest of the password here (issue 14).
    if (eq === -1) {
      bad(`query parameter ${i + 1}`, "has no '=' (percent-encode a '?' in a password as %3F)")
    }
    const key = decode(pair.slice(0, eq), 'query parameter name')
    if (key === '') bad('query parameter', 'has an empty name')
    const value = decode(pair.slice(eq + 1), `query parameter "${key}"`)
    keywords.set(key, value)
  }
}
