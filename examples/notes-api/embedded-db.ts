/**
 * Starts the embedded PostgreSQL (embedded-db-worker.ts) and gives back a connection URL that
 * covet's driver uses exactly like a real server's.
 *
 * PGlite has no authentication (any user and password is accepted), so the socket itself is the
 * access control: a Unix socket in a fresh directory of mode 0700, reachable only by this user
 * (and root, who can read the data directory anyway). A loopback TCP port would let any local
 * user read and write the database whenever its single client slot is free.
 */
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { PostgresDriverOptions } from '../../src/postgres/index.js'

/** The messages between this module and the database's worker (embedded-db-worker.ts). */
export interface WorkerOptions {
  /** PGlite's data directory, or null for an in-memory database. */
  dataDir: string | null
  /** Where to listen; null only runs initdb into `dataDir` and exits. */
  socketPath: string | null
}

export type FromWorker =
  | { type: 'ready'; version: string }
  | { type: 'initialized' }
  | { type: 'warning'; message: string }
  | { type: 'stopped' }
  | { type: 'stop-failed'; message: string }

export type ToWorker = { type: 'stop' }

export interface EmbeddedDatabase {
  /** `postgres://postgres@/postgres?host=<socket directory>&sslmode=disable` */
  readonly url: string
  /** The private directory that holds the socket (`.s.PGSQL.5432`). */
  readonly socketDir: string
  /** e.g. `PostgreSQL 18.6 (PGlite 0.5.14)` */
  readonly version: string
  /** Stops the socket server and closes PGlite, which writes the data directory. */
  stop(): Promise<void>
}

const STOP_TIMEOUT_MS = 10_000
/** The name PgConnection looks for in a socket directory (libpq's `.s.PGSQL.<port>`). */
const SOCKET_NAME = '.s.PGSQL.5432'
/** sun_path is 108 bytes on Linux, 104 on macOS, NUL included. */
const MAX_SOCKET_PATH = 103

/**
 * The one client the embedded database serves, held for the life of the service: PGlite is a single
 * session and pglite-socket takes one client (see test/integration/examples/pglite-socket.test.ts),
 * and a connection the pool retired would leave that slot to whoever connects next. So no idle
 * timeout and no lifetime; `min: 1` reopens it at once if it breaks.
 */
export const EMBEDDED_DRIVER_OPTIONS = {
  poolSize: 1,
  applicationName: 'covet-notes',
  pool: { min: 1, idleTimeoutMs: 0, maxLifetimeMs: 0 },
} as const satisfies PostgresDriverOptions

export interface EmbeddedOptions {
  /** PGlite's data directory, or null for an in-memory database. */
  dataDir: string | null
  onWarning?: (message: string) => void
  /**
   * How long stop() waits for PGlite to close before it terminates the worker (and rejects).
   * A wedged PGlite never answers: one known way is COPY FROM STDIN through pglite-socket, after
   * which PGlite spins. Default 10,000 ms.
   */
  stopTimeoutMs?: number
}

/**
 * Node 20 does not apply the `--import tsx` loader to worker threads (the worker fails with
 * ERR_UNKNOWN_FILE_EXTENSION on a .ts file), so the worker starts from a one-line script that loads
 * the TypeScript entry through tsx's API.
 */
function spawnWorker(options: WorkerOptions): Worker {
  const entry = new URL('./embedded-db-worker.ts', import.meta.url).href
  const tsx = import.meta.resolve('tsx/esm/api')
  const script = `import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`
  return new Worker(script, { eval: true, workerData: options })
}

/** Waits for the worker's first message of `type`, forwarding warnings; rejects if it dies first. */
function expect<T extends FromWorker['type']>(
  worker: Worker,
  type: T,
  onWarning: ((message: string) => void) | undefined,
): Promise<Extract<FromWorker, { type: T }>> {
  return new Promise((resolve, reject) => {
    worker.once('error', reject)
    worker.once('exit', (code) =>
      reject(new Error(`the embedded database exited during start (code ${code})`)),
    )
    worker.on('message', (message: FromWorker) => {
      if (message.type === type) resolve(message as Extract<FromWorker, { type: T }>)
      else if (message.type === 'warning') onWarning?.(message.message)
    })
  })
}

/**
 * initdb (a new data directory's first start) in a worker of its own that then exits. initdb needs
 * most of the memory of a first start (measured: 0.9 GB peak RSS, 0.8 GB still held after it, see
 * docs/tour.md); a worker's WASM memory goes back to the system when the worker ends, so the
 * database that then serves holds what a later start would (about 0.4 GB).
 */
async function initDataDir(dataDir: string, onWarning: ((message: string) => void) | undefined) {
  const worker = spawnWorker({ dataDir, socketPath: null })
  // once() rejects on 'error', which expect() reports: the rejection is not wanted twice.
  const exited = once(worker, 'exit').catch(() => {})
  await expect(worker, 'initialized', onWarning)
  await exited
}

/** A fresh 0700 directory for the socket: under XDG_RUNTIME_DIR (per user) when set, else the temp dir. */
async function privateSocketDir(): Promise<string> {
  const runtime = process.env.XDG_RUNTIME_DIR
  const base = runtime !== undefined && isAbsolute(runtime) && existsSync(runtime) ? runtime : tmpdir()
  // mkdtemp creates the directory with mode 0700 under a name nobody could have chosen in advance.
  const dir = await mkdtemp(join(base, 'covet-notes-db-'))
  if (join(dir, SOCKET_NAME).length > MAX_SOCKET_PATH) {
    await rm(dir, { recursive: true, force: true })
    throw new Error(
      `the socket path under ${base} is too long for a Unix socket; set TMPDIR to a shorter directory`,
    )
  }
  return dir
}

export async function startEmbeddedDatabase(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { dataDir, onWarning } = options
  if (dataDir !== null && !existsSync(join(dataDir, 'PG_VERSION'))) await initDataDir(dataDir, onWarning)
  const socketDir = await privateSocketDir()
  const worker = spawnWorker({ dataDir, socketPath: join(socketDir, SOCKET_NAME) })
  // Always listened to: an 'error' event without a listener would crash the whole service.
  worker.on('error', (error) => onWarning?.(`worker error: ${error}`))
  let version: string
  try {
    version = (await expect(worker, 'ready', onWarning)).version
  } catch (error) {
    await rm(socketDir, { recursive: true, force: true })
    throw error
  }
  let stopping: Promise<void> | undefined
  return {
    url: `postgres://postgres@/postgres?host=${encodeURIComponent(socketDir)}&sslmode=disable`,
    socketDir,
    version: version.replace(/ on wasm32.*$/, ''),
    stop() {
      stopping ??= stopWorker(worker, options.stopTimeoutMs ?? STOP_TIMEOUT_MS).finally(() =>
        rm(socketDir, { recursive: true, force: true }),
      )
      return stopping
    },
  }
}

async function stopWorker(worker: Worker, timeoutMs: number): Promise<void> {
  let outcome: { ok: true } | { ok: false; message: string } | undefined
  worker.on('message', (message: FromWorker) => {
    if (message.type === 'stopped') outcome = { ok: true }
    else if (message.type === 'stop-failed')
      outcome = { ok: false, message: `closing PGlite failed: ${message.message}` }
  })
  const exited = once(worker, 'exit')
  worker.postMessage({ type: 'stop' } satisfies ToWorker)
  const timer = setTimeout(() => void worker.terminate(), timeoutMs)
  try {
    await exited
  } finally {
    clearTimeout(timer)
  }
  outcome ??= { ok: false, message: `PGlite did not close within ${timeoutMs} ms; its worker was terminated` }
  if (!outcome.ok) throw new Error(outcome.message)
}
