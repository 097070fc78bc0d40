/**
 * Runs the notes service as a user would (`node --import tsx examples/notes-api/main.ts`, PORT=0) and
 * talks to it over real HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
/** A first start of the embedded database runs initdb in WASM: seconds, more on a loaded machine. */
const START_TIMEOUT_MS = 120_000

export interface NotesService {
  readonly url: string
  /** The service's process id (its database runs in a worker thread of the same process). */
  readonly pid: number
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string
  /** Sends the signal and resolves with the exit code once the process has ended. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

function spawnService(args: string[], env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/notes-api/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DATABASE_URL: '', NOTES_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  return { child, output: () => output, exited }
}

/** `env` values that are undefined are removed from the service's environment. */
export async function startNotesService(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<NotesService> {
  const { child, output, exited } = spawnService(args, env)
  const url = await waitForUrl(child, output, exited)
  return {
    url,
    pid: child.pid!,
    output,
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

/**
 * Runs the service where it must refuse to start: its exit code and output. One that starts listening
 * instead is killed, and the promise rejects.
 */
export async function expectRefusal(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | null; output: string }> {
  const { child, output, exited } = spawnService(args, env)
  let url: string | undefined
  try {
    url = await waitForUrl(child, output, exited)
  } catch {
    return { code: await exited, output: output() }
  }
  child.kill('SIGKILL')
  await exited
  throw new Error(`the service started on ${url} where it should have refused:\n${output()}`)
}

async function waitForUrl(child: ChildProcess, output: () => string, exited: Promise<number | null>) {
  const deadline = Date.now() + START_TIMEOUT_MS
  let ended = false
  void exited.then(() => (ended = true))
  while (Date.now() < deadline) {
    const match = /listening on (http:\/\/\S+)/.exec(output())
    if (match !== null) return match[1]!
    if (ended) throw new Error(`the service exited before listening:\n${output()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  child.kill('SIGKILL')
  throw new Error(`the service did not start within ${START_TIMEOUT_MS} ms:\n${output()}`)
}

export interface Reply {
  status: number
  headers: Headers
  text: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read reply fields directly; a wrong shape fails the assertion
  json: any
}

export interface RequestOptions {
  json?: unknown
  body?: string
  contentType?: string
  token?: string
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = {}
  let body: string | undefined
  if (options.json !== undefined) {
    body = JSON.stringify(options.json)
    headers['content-type'] = 'application/json'
  }
  if (options.body !== undefined) body = options.body
  if (options.contentType !== undefined) headers['content-type'] = options.contentType
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  const response = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body }) })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}
