/**
 * libpq's environment variables (libpq docs §34.15 "Environment Variables") and the connection
 * keyword each one defaults. Only the keywords covet's resolver understands are listed: a variable
 * for a feature covet lacks (PGSERVICE, PGPASSFILE, PGSSLCRL...) is ignored rather than half-applied.
 */
const PG_ENV_KEYWORDS: readonly (readonly [variable: string, keyword: string])[] = [
  ['PGHOST', 'host'],
  ['PGHOSTADDR', 'hostaddr'],
  ['PGPORT', 'port'],
  ['PGUSER', 'user'],
  ['PGPASSWORD', 'password'],
  ['PGDATABASE', 'dbname'],
  ['PGSSLMODE', 'sslmode'],
  ['PGSSLROOTCERT', 'sslrootcert'],
  ['PGSSLCERT', 'sslcert'],
  ['PGSSLKEY', 'sslkey'],
  ['PGAPPNAME', 'application_name'],
  ['PGCONNECT_TIMEOUT', 'connect_timeout'],
  ['PGTARGETSESSIONATTRS', 'target_session_attrs'],
  ['PGOPTIONS', 'options'],
  ['PGCHANNELBINDING', 'channel_binding'],
  ['PGREQUIREAUTH', 'require_auth'],
  ['PGLOADBALANCEHOSTS', 'load_balance_hosts'],
]

/** The environment as the resolver reads it; pass an object in tests instead of `process.env`. */
export type Environment = Readonly<Record<string, string | undefined>>

/**
 * The connection keywords set by `PG*` variables. An empty variable counts as unset: container
 * and `.env` tooling often exports empty values, and libpq would reject most of them as invalid.
 */
export function pgEnvKeywords(env: Environment): Map<string, string> {
  const keywords = new Map<string, string>()
  for (const [variable, keyword] of PG_ENV_KEYWORDS) {
    const value = Object.hasOwn(env, variable) ? env[variable] : undefined
    if (value !== undefined && value !== '') keywords.set(keyword, value)
  }
  return keywords
}

/** Which environment variable sets a keyword, so an error about a bad value can name its origin. */
export function pgEnvVariableFor(keyword: string): string | undefined {
  for (const [variable, kw] of PG_ENV_KEYWORDS) if (kw === keyword) return variable
  return undefined
}
