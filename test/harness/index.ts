/**
 * The real-server test harness (DESIGN §5). Tests import from here:
 *   getPostgres() / getMariaDb()   the shared server of this test process (or COVET_TEST_*_URL)
 *   startPostgres() / startMariaDb()  a dedicated server a test may kill, restart and stop
 * Everything started is stopped when the process ends, however it ends (cleanup.ts).
 */
import { type MariaDbServer, startMariaDb } from './mariadb.js'
import { type PgServer, startPostgres } from './postgres.js'
import { run } from './process-tools.js'

export { sqliteBinary } from './binaries.js'
export type { MariaDbServer } from './mariadb.js'
export { MARIADB_PASSWORDS, startMariaDb } from './mariadb.js'
export type { PgServer, StartPostgresOptions } from './postgres.js'
export { PG_PASSWORDS, startPostgres } from './postgres.js'

let sharedPg: Promise<PgServer> | undefined
let sharedMariaDb: Promise<MariaDbServer> | undefined

function unavailable(what: string): () => Promise<never> {
  return () => Promise.reject(new Error(`${what} is not available on a server given by URL`))
}

/** A server given by COVET_TEST_PG_URL: every URL is that one; no kill/restart. */
function externalPostgres(url: string): PgServer {
  const parsed = new URL(url)
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    database: parsed.pathname.slice(1) || 'postgres',
    socketDir: '',
    urls: { trust: url, scram: url, md5: url, password: url },
    url,
    superuserUrl: url,
    psql: (sql) => run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url, '-c', sql]),
    stop: async () => {},
    kill: unavailable('kill()'),
    restart: unavailable('restart()'),
    startStandby: unavailable('startStandby()'),
  }
}

function externalMariaDb(url: string): MariaDbServer {
  const parsed = new URL(url)
  const args = [
    '--no-defaults',
    '-h',
    parsed.hostname,
    '-P',
    parsed.port || '3306',
    '-u',
    decodeURIComponent(parsed.username),
  ]
  if (parsed.password) args.push(`-p${decodeURIComponent(parsed.password)}`)
  const database = parsed.pathname.slice(1) || 'test'
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 3306),
    database,
    socket: '',
    url,
    urls: { native: url, ed25519: url, tls: url },
    rootUrl: url,
    mariadb: (sql, options = {}) =>
      run('mariadb', [...args, '-N', '-B', options.database ?? database, '-e', sql]),
    stop: async () => {},
    kill: unavailable('kill()'),
    restart: unavailable('restart()'),
  }
}

export function getPostgres(): Promise<PgServer> {
  const url = process.env.COVET_TEST_PG_URL
  sharedPg ??= url ? Promise.resolve(externalPostgres(url)) : startPostgres()
  return sharedPg
}

export function getMariaDb(): Promise<MariaDbServer> {
  const url = process.env.COVET_TEST_MYSQL_URL
  sharedMariaDb ??= url ? Promise.resolve(externalMariaDb(url)) : startMariaDb()
  return sharedMariaDb
}
