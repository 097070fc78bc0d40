import { userInfo } from 'node:os'
import { InvalidArgumentError } from '../errors/classes.js'
import { resolveHostList } from '../internal/connection-config.js'
import { parseConnectionUrl } from '../internal/connection-url.js'
import { pgEnvKeywords } from '../internal/pg-env.js'
import { parseRequireAuth, type RequireAuth } from './auth/require-auth.js'
import type { ChannelBindingMode } from './auth/scram.js'

/**
 * Connection settings for PgConnection: from an options object, a `postgres://` URL, and libpq's
 * `PG*` environment variables (libpq docs §34.15), in that order of precedence. Bad values fail
 * here, at construction, naming the option (DESIGN §4).
 */

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full'
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']
const CHANNEL_BINDINGS: readonly ChannelBindingMode[] = ['disable', 'prefer', 'require']
export type TargetSessionAttrs = 'any' | 'read-write' | 'read-only' | 'primary' | 'standby' | 'prefer-standby'
const TARGET_SESSION_ATTRS: readonly TargetSessionAttrs[] = [
  'any',
  'read-write',
  'read-only',
  'primary',
  'standby',
  'prefer-standby',
]

export type PasswordSource = string | (() => string | Promise<string>)

export interface PgConnectionOptions {
  /**
   * Host name, IP, or a directory holding the Unix socket (starts with '/'). Several hosts are
   * separated by commas and tried in turn (libpq's multi-host strings). Default PGHOST or localhost.
   */
  host?: string
  /**
   * Numeric address to connect to instead of resolving `host` (libpq's hostaddr); `host` is still
   * the name the certificate is checked against with sslmode=verify-full.
   */
  hostaddr?: string
  /** One port, or one per host separated by commas. Default PGPORT or 5432. */
  port?: number | string
  /** Which server of several to accept (libpq's target_session_attrs). Default 'any'. */
  targetSessionAttrs?: TargetSessionAttrs
  /** 'random' tries the hosts in a random order, spreading connections (libpq 16). Default 'disable'. */
  loadBalanceHosts?: 'disable' | 'random'
  user?: string
  password?: PasswordSource
  database?: string
  /** libpq's sslmode. Default 'prefer' (libpq's default): TLS when the server offers it, unverified. */
  sslmode?: SslMode
  /** CA bundle file, or 'system' for Node's trusted CAs (then sslmode must be verify-full, as in libpq). */
  sslrootcert?: string
  /** Client certificate and key files (PEM). */
  sslcert?: string
  sslkey?: string
  /** SCRAM channel binding. Default 'prefer'. */
  channelBinding?: ChannelBindingMode
  /**
   * libpq's require_auth: the authentication methods accepted from the server, e.g.
   * 'scram-sha-256', 'md5,scram-sha-256' or '!password' (password, md5, gss, sspi,
   * scram-sha-256, none; `!` negates). Default: any (PGREQUIREAUTH).
   */
  requireAuth?: string
  /** Time allowed to connect, TLS and authenticate, in ms. Default 30,000; 0 = none. */
  connectTimeoutMs?: number
  applicationName?: string
  searchPath?: string
  /** Server-side statement_timeout in ms, sent at startup. */
  statementTimeout?: number
  /** Command-line options for the server (libpq's `options`, e.g. '-c geqo=off'). */
  options?: string
  /** Other run-time parameters to send in the startup packet. */
  params?: Record<string, string>
  /**
   * Send a cleartext password (the server's `password` method) over a connection whose server
   * was not verified: no TLS, or TLS without certificate verification (sslmode prefer or require
   * without sslrootcert). Default false: refused with ERR_AUTH, since anyone in the middle reads it.
   */
  allowCleartextPassword?: boolean
  /** Refuse SCRAM iteration counts above this. Default 1,000,000. */
  scramMaxIterations?: number
}

export interface PgConfig {
  /** The host this connection uses; `hosts` lists every candidate. */
  host: string
  hostaddr: string | undefined
  port: number
  hosts: readonly { host: string; port: number }[]
  targetSessionAttrs: TargetSessionAttrs
  loadBalanceHosts: 'disable' | 'random'
  user: string
  database: string
  sslmode: SslMode
  sslrootcert: string | undefined
  sslcert: string | undefined
  sslkey: string | undefined
  channelBinding: ChannelBindingMode
  requireAuth: RequireAuth | undefined
  connectTimeoutMs: number
  /** Startup parameters beyond user and database. */
  params: Record<string, string>
  allowCleartextPassword: boolean
  scramMaxIterations: number
}

/** URL query parameters understood, mapped to option names (libpq's connection keywords). */
const URL_KEYS: Record<string, keyof PgConnectionOptions> = {
  host: 'host',
  hostaddr: 'hostaddr',
  port: 'port',
  user: 'user',
  password: 'password',
  sslmode: 'sslmode',
  sslrootcert: 'sslrootcert',
  sslcert: 'sslcert',
  sslkey: 'sslkey',
  channel_binding: 'channelBinding',
  require_auth: 'requireAuth',
  connect_timeout: 'connectTimeoutMs',
  application_name: 'applicationName',
  options: 'options',
  search_path: 'searchPath',
  statement_timeout: 'statementTimeout',
  target_session_attrs: 'targetSessionAttrs',
  load_balance_hosts: 'loadBalanceHosts',
}

/**
 * Parses `postgres://user:password@host:port/database?key=value` with the shared libpq URL parser
 * (multi-host authority, percent-decoding) and maps its keywords to options. Unlike the generic
 * resolver, an unknown keyword is an error here: a misspelt `sslmode` must not be ignored.
 */
export function parsePgUrl(url: string): PgConnectionOptions {
  const { protocol, keywords } = parseConnectionUrl(url)
  if (protocol !== 'postgres') throw new InvalidArgumentError('url: expected postgres:// or postgresql://')
  const out: Record<string, unknown> = {}
  for (const [key, value] of keywords) {
    const name = key === 'dbname' ? 'database' : URL_KEYS[key]
    if (name === undefined) throw new InvalidArgumentError(`url: unknown connection parameter "${key}"`)
    // connect_timeout is in seconds in libpq URLs; statement_timeout in ms like the GUC.
    if (name === 'connectTimeoutMs') out[name] = integer(key, value) * 1000
    else if (name === 'port' && !value.includes(',')) out[name] = integer(key, value)
    else if (name === 'statementTimeout') out[name] = integer(key, value)
    else out[name] = value
  }
  return out as PgConnectionOptions
}

function integer(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a non-negative integer`)
  return Number(value)
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], dflt: T): T {
  if (value === undefined) return dflt
  if (!allowed.includes(value as T))
    throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}`)
  return value as T
}

/**
 * Resolves options (and a URL) into a complete configuration, filling libpq's defaults. The
 * password is not part of it (issue 14: PgConnection.config is public, and reached util.inspect,
 * JSON.stringify and diagnostics_channel subscribers): `resolvePg` returns it beside.
 */
export function resolvePgConfig(input: string | PgConnectionOptions): PgConfig {
  return resolvePg(input).config
}

/** The configuration and, apart, the password (a string or a function that supplies one). */
export function resolvePg(input: string | PgConnectionOptions): {
  config: PgConfig
  password: PasswordSource | undefined
} {
  const o = typeof input === 'string' ? parsePgUrl(input) : input
  // A libpq keyword's value from its `PG*` variable (pg-env.ts; an empty variable counts as unset).
  const fromEnv = pgEnvKeywords(process.env)
  const env = (keyword: string): string | undefined => fromEnv.get(keyword)
  if (typeof o !== 'object' || o === null)
    throw new InvalidArgumentError('options must be a URL or an object')
  const hosts = resolveHostList(o.host ?? env('host') ?? 'localhost', o.port ?? env('port') ?? 5432, 5432)
  const hostaddr = o.hostaddr ?? env('hostaddr')
  if (hostaddr !== undefined && hosts.length > 1)
    throw new InvalidArgumentError('hostaddr takes a single host')
  const user = o.user ?? env('user') ?? userInfo().username
  const sslmode = oneOf('sslmode', o.sslmode ?? env('sslmode'), SSL_MODES, 'prefer')
  const sslrootcert = o.sslrootcert ?? env('sslrootcert')
  if (sslrootcert === 'system' && sslmode !== 'verify-full') {
    // libpq 16: trusting every public CA is only safe if the host name is checked too.
    throw new InvalidArgumentError('sslrootcert=system requires sslmode=verify-full')
  }
  const connectTimeoutMs = o.connectTimeoutMs ?? Number(env('connect_timeout') ?? 30) * 1000
  if (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs < 0) {
    throw new InvalidArgumentError('connectTimeoutMs must be a non-negative number')
  }
  const scramMaxIterations = o.scramMaxIterations ?? 1_000_000
  if (!Number.isInteger(scramMaxIterations) || scramMaxIterations < 1) {
    throw new InvalidArgumentError('scramMaxIterations must be a positive integer')
  }
  const params: Record<string, string> = {}
  const applicationName = o.applicationName ?? env('application_name')
  if (applicationName !== undefined) params.application_name = applicationName
  const options = o.options ?? env('options')
  if (options !== undefined) params.options = options
  if (o.searchPath !== undefined) params.search_path = o.searchPath
  if (o.statementTimeout !== undefined) {
    if (!Number.isInteger(o.statementTimeout) || o.statementTimeout < 0) {
      throw new InvalidArgumentError('statementTimeout must be a non-negative integer (ms)')
    }
    params.statement_timeout = String(o.statementTimeout)
  }
  for (const [k, v] of Object.entries(o.params ?? {})) {
    if (k === 'user' || k === 'database' || k === 'client_encoding' || k === 'replication') {
      throw new InvalidArgumentError(`params.${k} cannot be set here`)
    }
    params[k] = String(v)
  }
  const config: PgConfig = {
    host: hosts[0]!.host,
    hostaddr,
    port: hosts[0]!.port,
    hosts,
    targetSessionAttrs: oneOf(
      'targetSessionAttrs',
      o.targetSessionAttrs ?? env('target_session_attrs'),
      TARGET_SESSION_ATTRS,
      'any',
    ),
    loadBalanceHosts: oneOf(
      'loadBalanceHosts',
      o.loadBalanceHosts ?? env('load_balance_hosts'),
      ['disable', 'random'] as const,
      'disable',
    ),
    user,
    database: o.database ?? env('dbname') ?? user,
    sslmode,
    sslrootcert,
    sslcert: o.sslcert ?? env('sslcert'),
    sslkey: o.sslkey ?? env('sslkey'),
    channelBinding: oneOf(
      'channelBinding',
      o.channelBinding ?? env('channel_binding'),
      CHANNEL_BINDINGS,
      'prefer',
    ),
    requireAuth: parseRequireAuth(o.requireAuth ?? env('require_auth')),
    connectTimeoutMs,
    params,
    allowCleartextPassword: o.allowCleartextPassword ?? false,
    scramMaxIterations,
  }
  const password = o.password ?? env('password')
  if (password !== undefined && typeof password !== 'string' && typeof password !== 'function') {
    throw new InvalidArgumentError('password must be a string or a function that returns one')
  }
  return { config, password }
}
