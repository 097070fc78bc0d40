/**
 * The notes service, assembled: database (embedded PGlite or DATABASE_URL), schema, encryption key,
 * routes, HTTP server; and its orderly shutdown. main.ts reads the command line and calls this.
 */
import { mkdir } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { PostgresDriver } from '../../src/postgres/index.js'
import { startEmbeddedDatabase } from './embedded-db.js'
import { mapError } from './errors.js'
import { HttpMetrics } from './metrics.js'
import { noteRoutes } from './routes/notes.js'
import { opsRoutes } from './routes/ops.js'
import { transferRoutes } from './routes/transfer.js'
import { Auth } from './routes/users.js'
import { Router } from './server/router.js'
import { lockDataDir } from './storage/data-dir-lock.js'
import { loadCipher } from './storage/keys.js'
import { NoteStore } from './storage/notes.js'
import { createSchema } from './storage/schema.js'

export interface ServiceOptions {
  /** A postgres:// URL; without one the embedded database is started. */
  databaseUrl: string | undefined
  /** PGlite's data and the generated key live here; null keeps both in memory. */
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
  db: PostgresDriver
  /** What the banner says about the database. */
  description: string
  /** Whether the server takes COPY FROM STDIN (the embedded one does not, see routes/transfer.ts). */
  copy: boolean
  /** Drains the pool, then stops the embedded database (which flushes it) and unlocks its directory. */
  close(): Promise<void>
}

async function openDatabase(options: ServiceOptions): Promise<OpenDatabase> {
  if (options.databaseUrl !== undefined) {
    const url = new URL(options.databaseUrl)
    const db = new PostgresDriver(options.databaseUrl, { poolSize: 10, applicationName: 'covet-notes' })
    const description = `PostgreSQL at ${url.host}${url.pathname} (DATABASE_URL)`
    return { db, description, copy: true, close: () => db.close() }
  }
  const unlock = options.dataDir === null ? async () => {} : await lockDataDir(options.dataDir)
  try {
    const embedded = await startEmbeddedDatabase({
      dataDir: options.dataDir === null ? null : join(options.dataDir, 'pgdata'),
      onWarning: (message) => options.log(`embedded database: ${message}`),
    })
    const where = options.dataDir === null ? 'in memory' : `data in ${join(options.dataDir, 'pgdata')}`
    // One connection: PGlite is a single backend session, and pglite-socket accepts one client.
    const db = new PostgresDriver(embedded.url, { poolSize: 1, applicationName: 'covet-notes' })
    return {
      db,
      description: `embedded ${embedded.version} on ${new URL(embedded.url).host}, ${where}`,
      copy: false,
      close: () =>
        db
          .close()
          .then(() => embedded.stop())
          .finally(unlock),
    }
  } catch (error) {
    await unlock()
    throw error
  }
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  if (options.dataDir !== null) await mkdir(options.dataDir, { recursive: true })
  const database = await openDatabase(options)
  const { db } = database
  try {
    await createSchema(db)
    const { cipher, origin } = await loadCipher({ envKey: options.key, dataDir: options.dataDir })
    const httpMetrics = new HttpMetrics()
    const router = new Router({
      mapError,
      observe: (o) => httpMetrics.observe(o),
      onUnexpected: (error) =>
        options.log(`unexpected error: ${error instanceof Error ? error.stack : error}`),
    })
    const auth = new Auth(db)
    const store = new NoteStore(db, cipher)
    auth.routes(router)
    // /notes/import and /notes/export before /notes/:id, which would otherwise match them.
    transferRoutes(router, auth, store, db, { copy: database.copy })
    noteRoutes(router, auth, store)
    opsRoutes(router, db, httpMetrics, database.description)
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
      keyOrigin: origin,
      close() {
        closing ??= stopHttp(server).then(() => database.close())
        return closing
      },
    }
  } catch (error) {
    await database.close().catch(() => {})
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
