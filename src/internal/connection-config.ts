import { isIP } from 'node:net'
import { userInfo } from 'node:os'
import { InvalidArgumentError } from '../errors/classes.js'
import { type ConnectionProtocol, parseConnectionUrl } from './connection-url.js'
import { type Environment, pgEnvKeywords, pgEnvVariableFor } from './pg-env.js'

/** libpq's sslmode values (libpq docs §34.19.1, "SSL Mode Descriptions"). */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full'
export type TargetSessionAttrs = 'any' | 'read-write' | 'read-only' | 'primary' | 'standby' | 'prefer-standby'
export type ChannelBinding = 'disable' | 'prefer' | 'require'
export type LoadBalanceHosts = 'disable' | 'random'

/** One server to try. A host starting with '/' is a Unix socket (PostgreSQL: its directory). */
export interface HostAndPort {
  host: string
  port: number
}

export interface SslConfig {
  mode: SslMode
  /** CA bundle path, or 'system' for the platform's trusted CAs (libpq 16). */
  rootCert: string | undefined
  cert: string | undefined
  key: string | undefined
}

/** A connection URL and the `PG*` environment resolved into one plain object, with libpq's defaults. */
export interface ConnectionConfig {
  protocol: ConnectionProtocol
  /** Tried in order (or shuffled with loadBalanceHosts 'random'). */
  hosts: HostAndPort[]
  user: string
  password: string | undefined
  /** PostgreSQL defaults it to the user name; MySQL connects without a default database. */
  database: string | undefined
  ssl: SslConfig
  applicationName: string | undefined
  /** Undefined when not given (the driver's default applies); 0 means no limit, as in libpq. */
  connectTimeoutMs: number | undefined
  targetSessionAttrs: TargetSessionAttrs
  loadBalanceHosts: LoadBalanceHosts
  channelBinding: ChannelBinding
  /** PostgreSQL command-line options for the server, e.g. '-c geqo=off'. */
  options: string | undefined
  /** Every other query parameter, verbatim; the driver decides what they mean or rejects them. */
  params: Record<string, string>
}

export interface ResolveOptions {
  /** Where `PG*` variables are read (PostgreSQL URLs only). Default `process.env`. */
  env?: Environment
  /** The user name to use when none is given. Default: the OS user, as libpq and the mysql client do. */
  osUser?: string
}

const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']
const TARGET_SESSION_ATTRS: readonly TargetSessionAttrs[] = [
  'any',
  'read-write',
  'read-only',
  'primary',
  'standby',
  'prefer-standby',
]
const CHANNEL_BINDINGS: readonly ChannelBinding[] = ['disable', 'prefer', 'require']
const LOAD_BALANCE_HOSTS: readonly LoadBalanceHosts[] = ['disable', 'random']

/** MySQL's --ssl-mode names (MySQL "Command Options for Encrypted Connections") in libpq terms. */
const MYSQL_SSL_MODES: Readonly<Record<string, SslMode>> = {
  DISABLED: 'disable',
  PREFERRED: 'prefer',
  REQUIRED: 'require',
  VERIFY_CA: 'verify-ca',
  VERIFY_IDENTITY: 'verify-full',
}
/** MySQL URL spellings of the TLS file options, mapped to libpq's keywords. */
const MYSQL_ALIASES: Readonly<Record<string, string>> = {
  'ssl-ca': 'sslrootcert',
  'ssl-cert': 'sslcert',
  'ssl-key': 'sslkey',
}

const TYPED = ['host', 'port', 'user', 'password', 'dbname', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey']
const TYPED_BOTH = new Set([...TYPED, 'application_name', 'connect_timeout'])
const TYPED_PG = new Set([
  ...TYPED_BOTH,
  'target_session_attrs',
  'options',
  'channel_binding',
  'load_balance_hosts',
])

// RFC 1123 host names (with '_', which Docker and /etc/hosts allow) and IPv4 literals.
const HOST_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/

/** Merged keywords, remembering which came from the environment so errors can name their origin. */
class Keywords {
  constructor(
    readonly values: Map<string, string>,
    private readonly fromEnv: ReadonlySet<string>,
  ) {}

  get(keyword: string): string | undefined {
    return this.values.get(keyword)
  }

  fail(keyword: string, why: string): never {
    const variable = this.fromEnv.has(keyword) ? pgEnvVariableFor(keyword) : undefined
    const origin = variable === undefined ? `connection URL: ${keyword}` : `environment variable ${variable}`
    throw new InvalidArgumentError(`${origin} ${why}`)
  }

  oneOf<T extends string>(keyword: string, allowed: readonly T[], dflt: T): T {
    const value = this.values.get(keyword)
    if (value === undefined) return dflt
    if (!(allowed as readonly string[]).includes(value)) {
      this.fail(keyword, `must be one of ${allowed.join(', ')}, got "${value}"`)
    }
    return value as T
  }
}

/**
 * Resolves `postgres://`, `postgresql://`, `mysql://` or `mariadb://` URLs. For PostgreSQL, `PG*`
 * variables fill what the URL leaves out (URL wins), as in libpq (libpq docs §34.1.2 "Parameter Key
 * Words", §34.15). Bad values throw InvalidArgumentError naming the part; passwords are never echoed.
 */
export function resolveConnectionConfig(url: string, options: ResolveOptions = {}): ConnectionConfig {
  const { protocol, keywords: fromUrl } = parseConnectionUrl(url)
  const isPg = protocol === 'postgres'
  if (!isPg) applyMysqlSpellings(fromUrl)
  const fromEnv = new Set<string>()
  if (isPg) {
    for (const [keyword, value] of pgEnvKeywords(options.env ?? process.env)) {
      if (!fromUrl.has(keyword)) {
        fromUrl.set(keyword, value)
        fromEnv.add(keyword)
      }
    }
  }
  const kw = new Keywords(fromUrl, fromEnv)
  const user = kw.get('user') ?? options.osUser ?? osUserName()
  const ssl = resolveSsl(kw)
  const typed = isPg ? TYPED_PG : TYPED_BOTH
  const params: Record<string, string> = Object.create(null)
  for (const [key, value] of kw.values) if (!typed.has(key)) params[key] = value
  return {
    protocol,
    hosts: resolveHosts(kw, isPg ? 5432 : 3306),
    user,
    password: kw.get('password'),
    database: kw.get('dbname') ?? (isPg ? user : undefined),
    ssl,
    applicationName: kw.get('application_name'),
    connectTimeoutMs: resolveConnectTimeout(kw),
    targetSessionAttrs: isPg ? kw.oneOf('target_session_attrs', TARGET_SESSION_ATTRS, 'any') : 'any',
    loadBalanceHosts: isPg ? kw.oneOf('load_balance_hosts', LOAD_BALANCE_HOSTS, 'disable') : 'disable',
    channelBinding: isPg ? kw.oneOf('channel_binding', CHANNEL_BINDINGS, 'prefer') : 'prefer',
    options: isPg ? kw.get('options') : undefined,
    params,
  }
}

/** Accepts MySQL's own URL names (`ssl-mode=VERIFY_IDENTITY`, `ssl-ca=...`) next to libpq's. */
function applyMysqlSpellings(keywords: Map<string, string>): void {
  for (const [alias, keyword] of Object.entries(MYSQL_ALIASES)) {
    const value = keywords.get(alias)
    if (value === undefined) continue
    if (keywords.has(keyword))
      throw new InvalidArgumentError(`connection URL: both ${alias} and ${keyword} given`)
    keywords.delete(alias)
    keywords.set(keyword, value)
  }
  for (const alias of ['ssl-mode', 'ssl_mode']) {
    const value = keywords.get(alias)
    if (value === undefined) continue
    const mode = Object.hasOwn(MYSQL_SSL_MODES, value.toUpperCase())
      ? MYSQL_SSL_MODES[value.toUpperCase()]
      : undefined
    if (mode === undefined) {
      throw new InvalidArgumentError(
        `connection URL: ${alias} must be one of ${Object.keys(MYSQL_SSL_MODES).join(', ')}, got "${value}"`,
      )
    }
    if (keywords.has('sslmode'))
      throw new InvalidArgumentError(`connection URL: both ${alias} and sslmode given`)
    keywords.delete(alias)
    keywords.set('sslmode', mode)
  }
}

function osUserName(): string {
  try {
    return userInfo().username
  } catch (cause) {
    throw new InvalidArgumentError('connection URL: user is not given and the OS user name is unknown', {
      cause,
    })
  }
}

function resolveSsl(kw: Keywords): SslConfig {
  const rootCert = kw.get('sslrootcert')
  // libpq 16: trusting every public CA is only safe when the host name is checked too, so
  // sslrootcert=system implies verify-full and refuses anything weaker.
  const systemRoots = rootCert === 'system'
  const mode = kw.oneOf('sslmode', SSL_MODES, systemRoots ? 'verify-full' : 'prefer')
  if (systemRoots && mode !== 'verify-full') kw.fail('sslmode', `must be verify-full with sslrootcert=system`)
  return { mode, rootCert, cert: kw.get('sslcert'), key: kw.get('sslkey') }
}

/** libpq: zero or negative waits forever; 1 second is raised to 2 (§34.1.2 connect_timeout). */
function resolveConnectTimeout(kw: Keywords): number | undefined {
  const value = kw.get('connect_timeout')
  if (value === undefined) return undefined
  if (!/^\s*[-+]?\d+\s*$/.test(value)) kw.fail('connect_timeout', `must be a whole number of seconds`)
  const seconds = Number(value)
  if (seconds <= 0) return 0
  return Math.max(seconds, 2) * 1000
}

function resolveHosts(kw: Keywords, defaultPort: number): HostAndPort[] {
  const names = (kw.get('host') ?? '').split(',')
  const ports = (kw.get('port') ?? '').split(',')
  if (ports.length !== 1 && ports.length !== names.length) {
    kw.fail('port', `lists ${ports.length} ports for ${names.length} hosts`)
  }
  return names.map((name, i) => {
    // libpq's own default is its compiled-in socket directory, which differs between builds
    // (/tmp, /var/run/postgresql); localhost over TCP is the one default that works everywhere.
    const host = name === '' ? 'localhost' : name
    if (!host.startsWith('/') && isIP(host) === 0 && !HOST_NAME.test(host)) {
      kw.fail('host', `"${host}" is not a host name, an IP address or a socket path`)
    }
    const portText = ports.length === 1 ? ports[0]! : ports[i]!
    if (portText === '') return { host, port: defaultPort }
    const port = Number(portText)
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
      kw.fail('port', `"${portText}" is not a port number (1-65535)`)
    }
    return { host, port }
  })
}

/**
 * A driver's `host` and `port` options (libpq's multi-host strings, both drivers): comma-separated
 * lists, one port for all hosts or exactly one per host, an empty port entry meaning `defaultPort`.
 */
export function resolveHostList(host: string, port: number | string, defaultPort: number): HostAndPort[] {
  const names = host.split(',').map((h) => h.trim())
  const ports = String(port)
    .split(',')
    .map((p) => (p.trim() === '' ? defaultPort : Number(p)))
  if (ports.length !== 1 && ports.length !== names.length) {
    throw new InvalidArgumentError(`port: ${ports.length} ports given for ${names.length} hosts`)
  }
  return names.map((h, i) => {
    const p = ports.length === 1 ? ports[0]! : ports[i]!
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new InvalidArgumentError('port must be 1-65535')
    if (h === '') throw new InvalidArgumentError('host must not be empty')
    return { host: h, port: p }
  })
}
