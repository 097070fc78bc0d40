import { userInfo } from 'node:os'
import { InvalidArgumentError } from '../errors/classes.js'
import { resolveConnectionConfig, resolveHostList, type SslMode } from '../internal/connection-config.js'
import { type MySqlTypeOptions, parseTimeZone, resolveTypeOptions } from './types/options.js'

/**
 * Where and how a MySqlConnection connects: an options object, or a `mysql://` / `mariadb://` URL
 * (libpq-style keywords through src/internal/connection-config.ts, plus MySQL's own spellings
 * `ssl-mode=VERIFY_IDENTITY`, `ssl-ca=...`). Bad values fail here, naming the option (DESIGN §4).
 *
 * TLS has the PostgreSQL side's sslmode names and meaning (libpq §34.19.1): `prefer` (default)
 * uses TLS when the server offers it without checking the certificate; `require` insists on TLS
 * (and checks the chain when `sslrootcert` is a file, as libpq does); `verify-ca` checks the
 * chain; `verify-full` the chain and the host name; `allow` tries without TLS first.
 */

export type PasswordSource = string | (() => string | Promise<string>)

export interface MySqlConnectionOptions {
  /** Host name or IP; a path starting with '/' is a Unix socket file. Several, comma-separated, are tried in turn. */
  host?: string
  port?: number | string
  /** Default: the OS user name, as the mysql client does. */
  user?: string
  password?: PasswordSource
  database?: string
  sslmode?: SslMode
  /** CA bundle file, or 'system' for Node's trusted CAs (then sslmode must be verify-full). */
  sslrootcert?: string
  sslcert?: string
  sslkey?: string
  /** Time allowed to connect, negotiate TLS and authenticate, in ms. Default 30,000; 0 = none. */
  connectTimeoutMs?: number
  /**
   * The session time zone, set explicitly at connect (`SET time_zone`): DATETIME and TIMESTAMP
   * values are read into Dates and Dates written in it. 'Z'/'UTC' (default) or a fixed offset '+02:00'.
   */
  timezone?: string
  /** A utf8mb4 collation for the session (`SET NAMES utf8mb4 COLLATE ...`; ids above 255 need it). */
  collation?: string
  /** Allow mysql_clear_password (the password in clear text) — still only over verified TLS. */
  allowCleartextPassword?: boolean
  /** caching_sha2_password/sha256_password may fetch the server's RSA key without TLS (MITM risk). */
  allowPublicKeyRetrieval?: boolean
  /** The server's RSA public key (PEM) for caching_sha2_password/sha256_password without TLS. */
  serverPublicKey?: string
  /** Let queries send LOAD DATA LOCAL INFILE data from a stream they are given. Default false. */
  localInfile?: boolean
  /** Allow several statements in one query() text (CLIENT_MULTI_STATEMENTS). Default false. */
  multipleStatements?: boolean
  /** MariaDB: the session's max_statement_time, in ms; statements running longer fail with ERR_QUERY_TIMEOUT. */
  maxStatementTimeMs?: number
  /**
   * MariaDB 10.2+: send an uncached statement's PREPARE and EXECUTE (statement id -1) in one
   * flight, saving a round trip on its first run per connection. Default false: when the server's
   * global max_prepared_stmt_count is reached, MariaDB answers such an EXECUTE by running the
   * statement this connection prepared before, with these parameters (docs/mysql.md).
   */
  pipelinePrepare?: boolean
  /** Extra connection attributes (performance_schema.session_connect_attrs). */
  connectAttributes?: Record<string, string>
}

export interface MySqlConfig {
  /** The host this connection uses; `hosts` lists every candidate. */
  host: string
  port: number
  hosts: readonly { host: string; port: number }[]
  user: string
  password: PasswordSource | undefined
  database: string | undefined
  sslmode: SslMode
  sslrootcert: string | undefined
  sslcert: string | undefined
  sslkey: string | undefined
  connectTimeoutMs: number
  timezone: { offsetMs: number; sql: string }
  collation: string | undefined
  allowCleartextPassword: boolean
  allowPublicKeyRetrieval: boolean
  serverPublicKey: string | undefined
  localInfile: boolean
  multipleStatements: boolean
  maxStatementTimeMs: number | undefined
  pipelinePrepare: boolean
  connectAttributes: Readonly<Record<string, string>>
}

/** URL query parameters beyond the libpq keywords, as option names. */
const URL_OPTIONS: Record<string, keyof MySqlConnectionOptions> = {
  timezone: 'timezone',
  collation: 'collation',
  allowCleartextPassword: 'allowCleartextPassword',
  allowPublicKeyRetrieval: 'allowPublicKeyRetrieval',
  localInfile: 'localInfile',
  multipleStatements: 'multipleStatements',
  maxStatementTimeMs: 'maxStatementTimeMs',
  pipelinePrepare: 'pipelinePrepare',
}
const BOOLEAN_OPTIONS = new Set([
  'pipelinePrepare',
  'allowCleartextPassword',
  'allowPublicKeyRetrieval',
  'localInfile',
  'multipleStatements',
])

/** Parses a `mysql://` or `mariadb://` URL into options; an unknown parameter is an error. */
export function parseMySqlUrl(url: string): MySqlConnectionOptions {
  const c = resolveConnectionConfig(url, {})
  if (c.protocol !== 'mysql') throw new InvalidArgumentError('url: expected mysql:// or mariadb://')
  const out: Record<string, unknown> = {
    host: c.hosts.map((h) => h.host).join(','),
    port: c.hosts.map((h) => h.port).join(','),
    user: c.user,
    sslmode: c.ssl.mode,
  }
  if (c.password !== undefined) out.password = c.password
  if (c.database !== undefined) out.database = c.database
  if (c.ssl.rootCert !== undefined) out.sslrootcert = c.ssl.rootCert
  if (c.ssl.cert !== undefined) out.sslcert = c.ssl.cert
  if (c.ssl.key !== undefined) out.sslkey = c.ssl.key
  if (c.connectTimeoutMs !== undefined) out.connectTimeoutMs = c.connectTimeoutMs
  if (c.applicationName !== undefined) out.connectAttributes = { program_name: c.applicationName }
  for (const [key, value] of Object.entries(c.params)) {
    const name = URL_OPTIONS[key]
    if (name === undefined) throw new InvalidArgumentError(`url: unknown connection parameter "${key}"`)
    if (BOOLEAN_OPTIONS.has(name)) {
      if (value !== 'true' && value !== 'false')
        throw new InvalidArgumentError(`url: ${key} must be true or false`)
      out[name] = value === 'true'
    } else if (name === 'maxStatementTimeMs') {
      if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`url: ${key} must be a whole number of ms`)
      out[name] = Number(value)
    } else out[name] = value
  }
  return out as MySqlConnectionOptions
}

function flag(name: string, v: boolean | undefined): boolean {
  if (v !== undefined && typeof v !== 'boolean') throw new InvalidArgumentError(`${name} must be a boolean`)
  return v ?? false
}

const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']
// utf8mb4 collation names: letters, digits, underscores (a name goes into SET NAMES unquoted).
const COLLATION = /^utf8mb4_[A-Za-z0-9_]+$/

/** Resolves options (or a URL) into a complete configuration with the defaults filled in. */
export function resolveMySqlConfig(input: string | MySqlConnectionOptions): MySqlConfig {
  const o = typeof input === 'string' ? parseMySqlUrl(input) : input
  if (typeof o !== 'object' || o === null)
    throw new InvalidArgumentError('options must be a URL or an object')
  const hosts = resolveHostList(o.host ?? 'localhost', o.port ?? 3306, 3306)
  const sslmode = o.sslmode ?? 'prefer'
  if (!SSL_MODES.includes(sslmode))
    throw new InvalidArgumentError(`sslmode must be one of ${SSL_MODES.join(', ')}`)
  if (o.sslrootcert === 'system' && sslmode !== 'verify-full') {
    // As libpq 16: trusting every public CA is only safe if the host name is checked too.
    throw new InvalidArgumentError('sslrootcert=system requires sslmode=verify-full')
  }
  const connectTimeoutMs = o.connectTimeoutMs ?? 30_000
  if (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs < 0) {
    throw new InvalidArgumentError('connectTimeoutMs must be a non-negative number')
  }
  if (o.collation !== undefined && !COLLATION.test(o.collation)) {
    throw new InvalidArgumentError('collation must be a utf8mb4 collation name, e.g. utf8mb4_unicode_ci')
  }
  const max = o.maxStatementTimeMs
  if (max !== undefined && (!Number.isInteger(max) || max < 0)) {
    throw new InvalidArgumentError('maxStatementTimeMs must be a non-negative integer')
  }
  const attributes = o.connectAttributes ?? {}
  if (typeof attributes !== 'object' || Object.values(attributes).some((v) => typeof v !== 'string')) {
    throw new InvalidArgumentError('connectAttributes must map names to strings')
  }
  if (o.password !== undefined && typeof o.password !== 'string' && typeof o.password !== 'function') {
    throw new InvalidArgumentError('password must be a string or a function returning one')
  }
  return {
    host: hosts[0]!.host,
    port: hosts[0]!.port,
    hosts,
    user: o.user ?? userInfo().username,
    password: o.password,
    database: o.database,
    sslmode,
    sslrootcert: o.sslrootcert,
    sslcert: o.sslcert,
    sslkey: o.sslkey,
    connectTimeoutMs,
    timezone: parseTimeZone(o.timezone ?? 'Z'),
    collation: o.collation,
    allowCleartextPassword: flag('allowCleartextPassword', o.allowCleartextPassword),
    allowPublicKeyRetrieval: flag('allowPublicKeyRetrieval', o.allowPublicKeyRetrieval),
    serverPublicKey: o.serverPublicKey,
    localInfile: flag('localInfile', o.localInfile),
    multipleStatements: flag('multipleStatements', o.multipleStatements),
    maxStatementTimeMs: max,
    pipelinePrepare: flag('pipelinePrepare', o.pipelinePrepare),
    connectAttributes: attributes,
  }
}

/** Checks the type options at construction, so a typo fails before connecting. */
export function checkTypeOptions(types: MySqlTypeOptions | undefined): void {
  if (types !== undefined) resolveTypeOptions(types, 0)
}
