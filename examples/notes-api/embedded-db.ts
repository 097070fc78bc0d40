/**
 * Starts the embedded PostgreSQL (embedded-db-worker.ts) and gives back a connection URL that
 * covet's driver uses exactly like a real server's.
 */
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'

/** The messages between this module and the database's worker (embedded-db-worker.ts). */
export interface WorkerOptions {
  /** PGlite's data directory, or null for an in-memory database. */
  dataDir: string | null
}

export type FromWorker =
  | { type: 'ready'; host: string; port: number; version: string }
  | { type: 'warning'; message: string }
  | { type: 'stopped' }
  | { type: 'stop-failed'; message: string }

export type ToWorker = { type: 'stop' }

export interface EmbeddedDatabase {
  /** `postgres://postgres@127.0.0.1:<port>/postgres?sslmode=disable` */
  readonly url: string
  /** e.g. `PostgreSQL 18.6 (PGlite 0.5.14)` */
  readonly version: string
  /** Stops the socket server and closes PGlite, which writes the data directory. */
  stop(): Promise<void>
}

const STOP_TIMEOUT_MS = 10_000

export interface EmbeddedOptions extends WorkerOptions {
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

export async function startEmbeddedDatabase(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const worker = spawnWorker({ dataDir: options.dataDir })
  // Always listened to: an 'error' event without a listener would crash the whole service.
  worker.on('error', (error) => options.onWarning?.(`worker error: ${error}`))
  const ready = new Promise<Extract<FromWorker, { type: 'ready' }>>((resolve, reject) => {
    worker.once('error', reject)
    worker.once('exit', (code) =>
      reject(new Error(`the embedded database exited during start (code ${code})`)),
    )
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') resolve(message)
      else if (message.type === 'warning') options.onWarning?.(message.message)
    })
  })
  const { host, port, version } = await ready
  let stopping: Promise<void> | undefined
  return {
    url: `postgres://postgres@${host}:${port}/postgres?sslmode=disable`,
    version: version.replace(/ on wasm32.*$/, ''),
    stop() {
      stopping ??= stopWorker(worker, options.stopTimeoutMs ?? STOP_TIMEOUT_MS)
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
