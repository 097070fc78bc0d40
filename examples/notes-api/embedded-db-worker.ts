/**
 * The embedded PostgreSQL: PGlite (WASM Postgres) served on a private Unix socket by pglite-socket,
 * in a worker thread. PGlite executes SQL synchronously on the thread that owns it, so on the main
 * thread a slow statement would freeze the HTTP server (measured: `pg_sleep(1)` stalled the event
 * loop 1 s); here the main thread only sees a socket, exactly as with a real server.
 */
import fs from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import type { FromWorker, ToWorker, WorkerOptions } from './embedded-db.js'

if (parentPort === null) throw new TypeError('embedded-db-worker.ts must run in a worker thread')
const port = parentPort
const options = workerData as WorkerOptions
const send = (message: FromWorker) => port.postMessage(message)

// PostgreSQL keeps its files owner-only (postmaster.c sets umask(PG_MODE_MASK_OWNER), 0077), but in
// PGlite every new file is 0666: Emscripten's FS.open chmods a file it creates to the mode asked for,
// which a chmod does not put through the process umask. Only PGlite touches files in this worker (its
// NODEFS calls fs.chmodSync), so here chmod keeps group and other out, as PostgreSQL would.
const chmodSync = fs.chmodSync
fs.chmodSync = (path, mode) =>
  chmodSync(path, (typeof mode === 'string' ? Number.parseInt(mode, 8) : mode) & 0o700)

const db = await PGlite.create(options.dataDir === null ? {} : { dataDir: options.dataDir })
if (options.socketPath === null) {
  // initdb only (embedded-db.ts initDataDir): closing writes the new cluster to the data directory.
  await db.close()
  send({ type: 'initialized' })
  port.close()
} else {
  await serve(options.socketPath)
}

async function serve(path: string): Promise<void> {
  // PGlite is one backend session. pglite-socket multiplexes clients onto it message by message, so
  // two clients would interleave Parse/Bind and share prepared statements: allow exactly one.
  const server = new PGLiteSocketServer({ db, path, maxConnections: 1 })

  // The session outlives a client: pglite-socket rolls back an open transaction on disconnect but
  // keeps prepared statements, settings and temp tables, so a reconnecting driver would meet its own
  // statement names again (42P05 "prepared statement already exists"). Give each client a fresh
  // session. The 'connection' event fires before the client's first message is processed and both go
  // through PGlite's query lock, so this runs first.
  server.addEventListener('connection', () => {
    db.exec('DISCARD ALL').catch((error: unknown) => {
      send({ type: 'warning', message: `DISCARD ALL failed: ${String(error)}` })
    })
  })

  await server.start()
  const version = (await db.query<{ version: string }>('SELECT version()')).rows[0]?.version ?? 'unknown'
  send({ type: 'ready', version })

  port.on('message', (message: ToWorker) => {
    if (message.type !== 'stop') return
    // Closing PGlite checkpoints and writes the data directory; only then is the stop reported.
    server
      .stop()
      .then(() => db.close())
      .then(
        () => send({ type: 'stopped' }),
        (error: unknown) => send({ type: 'stop-failed', message: String(error) }),
      )
      .finally(() => port.close())
  })
}
