/**
 * The notes service, assembled: database (embedded PGlite, or DATABASE_URL: PostgreSQL, MariaDB or
 * MySQL), schema, encryption key, routes, HTTP server; and its orderly shutdown. main.ts reads the
 * command line and calls this.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { MySqlDriver } from '../../src/mysql/index.js'
import { PostgresDriver } from '../../src/postgres/index.js'
import { EMBEDDED_DRIVER_OPTIONS, startEmbeddedDatabase } from './embedded-db.js'
import { mapError } from './errors.js'
import { HttpMetrics } from './metrics.js'
import { noteRoutes } from './routes/notes.js'
import { opsRoutes } from './routes/ops.js'
import { transferRoutes } from './routes/transfer.js'
import { Auth } from './routes/users.js'
import { Router } from './server/router.js'
import { prepareDataDir } from './storage/data-dir.js'
import { lockDataDir } from './storage/data-dir-lock.js'
import type { BulkInserter, Database } from './storage/database.js'
import { MARIADB, MYSQL, POSTGRES, type SqlDialect } from './storage/dialect.js'
import { loadCipher } from './storage/keys.js'
import { NoteStore } from './storage/notes.js'
import { createSchema } from './storage/schema.js'

export interface ServiceOptions {
  /** A postgres://, mysql:// or mariadb:// URL; without one the embedded database is started. */
  databaseUrl: string | undefined
  /**
   * PGlite's data and the generated key live here; null keeps both in memory. Created (0700) if
   * missing; refused if it, its key or its pid file could be another user's (storage/data-dir.ts).
   */
  dataDir: string | null
  host: string
  /** 0 picks a free port. */
  port: number
  /** NOTES_KEY: the body encryption key (base64url, 32 bytes). */
  key: string | undefined
  log: (line: string) => void
}

export interface RunningService {
  readonly url: string
  /** What the banner says about the database. */
  readonly database: string
  readonly keyOrigin: string
  close(): Promise<void>
}

const SHUTDOWN_GRACE_MS = 5000

interface OpenDatabase {
  db: Database
  dialect: SqlDialect
  /** What the banner says about the database. */
  description: string
  /**
   * The import's bulk path: PostgreSQL's binary COPY, MariaDB's COM_STMT_BULK_EXECUTE (MySQL's
   * multi-row INSERTs); null for the embedded database, which does not take COPY FROM STDIN (see
   * routes/transfer.ts).
   */
  bulk: BulkInserter | null
  /** Drains the pool, then stops the embedded database (which flushes it). */
  close(): Promise<void>
}

const POSTGRES_SCHEMES = new Set(['postgres:', 'postgresql:'])
const MYSQL_SCHEMES = new Set(['mysql:', 'mariadb:'])

async function openDatabase(options: ServiceOptions): Promise<OpenDatabase> {
  if (options.databaseUrl !== undefined) return openServer(options.databaseUrl)

  const embedded = await startEmbeddedDatabase({
    dataDir: options.dataDir === null ? null : join(options.dataDir, 'pgdata'),
    onWarning: (message) => options.log(`embedded database: ${message}`),
  })
  const where = options.dataDir === null ? 'in memory' : `data in ${join(options.dataDir, 'pgdata')}`
  const db = new PostgresDriver(embedded.url, EMBEDDED_DRIVER_OPTIONS)
  return {
    db,
    dialect: POSTGRES,
    description: `embedded ${embedded.version} on a private Unix socket, ${where}`,
    bulk: null,
    close: () => db.close().then(() => embedded.stop()),
  }
}

/** The server DATABASE_URL names, by its scheme. */
async function openServer(databaseUrl: string): Promise<OpenDatabase> {
  const url = new URL(databaseUrl)
  const where = `${url.host}${url.pathname} (DATABASE_URL)`
  if (POSTGRES_SCHEMES.has(url.protocol)) {
    const db = new PostgresDriver(databaseUrl, { poolSize: 10, applicationName: 'covet-notes' })
    return { db, dialect: POSTGRES, description: `PostgreSQL at ${where}`, bulk: db, close: () => db.close() }
  }
  if (!MYSQL_SCHEMES.has(url.protocol)) {
    throw new RangeError('DATABASE_URL must start with postgres://, postgresql://, mysql:// or mariadb://')
  }
  // timezone 'Z' (covet's default, written out): the session is '+00:00', so DATETIME(6) holds UTC.
  const db = new MySqlDriver(databaseUrl, {
    poolSize: 10,
    timezone: 'Z',
    connectAttributes: { program_name: 'covet-notes' },
  })
  try {
    // Either scheme reaches either server; which one it is decides the dialect and the banner.
    const row = await db.executeOne<{ version: string }>('SELECT VERSION() AS version')
    const mariaDb = /mariadb/i.test(row?.version ?? '')
    const dialect = mariaDb ? MARIADB : MYSQL
    const description = `${mariaDb ? 'MariaDB' : 'MySQL'} at ${where}`
    return { db, dialect, description, bulk: db, close: () => db.close() }
  } catch (error) {
    await db.close()
    throw error
  }
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { dataDir } = options
  if (dataDir !== null) await prepareDataDir(dataDir)
  // One service per data directory, taken before its key or its database is touched.
  const unlock =
    options.databaseUrl === undefined && dataDir !== null ? await lockDataDir(dataDir) : async () => {}
  let cipher: Awaited<ReturnType<typeof loadCipher>>
  let database: OpenDatabase
  try {
    // The key before the database: a refused key file should not cost a first start's initdb.
    cipher = await loadCipher({ envKey: options.key, dataDir })
    database = await openDatabase(options)
  } catch (error) {
    await unlock()
    throw error
  }
  const closeDatabase = () => database.close().finally(unlock)
  const { db, dialect } = database
  try {
    await createSchema(db, dialect)
    const httpMetrics = new HttpMetrics()
    const router = new Router({
      mapError,
      observe: (o) => httpMetrics.observe(o),
      onUnexpected: (error) =>
        options.log(`unexpected error: ${error instanceof Error ? error.stack : error}`),
    })
    const auth = new Auth(db, dialect)
    const store = new NoteStore(db, dialect, cipher.cipher)
    auth.routes(router)
    // /notes/import and /notes/export before /notes/:id, which would otherwise match them.
    transferRoutes(router, auth, store, db, { dialect, bulk: database.bulk })
    noteRoutes(router, auth, store)
    opsRoutes(router, db, httpMetrics)
    const server = createServer(router.listener)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port, options.host, resolve)
    })
    const { port } = server.address() as AddressInfo
    const host = options.host.includes(':') ? `[${options.host}]` : options.host
    let closing: Promise<void> | undefined
    return {
      url: `http://${host}:${port}`,
      database: database.description,
      keyOrigin: cipher.origin,
      close() {
        closing ??= stopHttp(server).then(closeDatabase)
        return closing
      },
    }
  } catch (error) {
    await closeDatabase().catch(() => {})
    throw error
  }
}

/** Stops accepting requests and lets running ones finish (up to SHUTDOWN_GRACE_MS). */
async function stopHttp(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  const grace = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS)
  await closed
  clearTimeout(grace)
}
