/**
 * `npm start`: the covet notes service.
 *
 *   node --import tsx examples/notes-api/main.ts [--data DIR | --memory]
 *
 * Environment: PORT (default 3000; 0 picks a free port), HOST (default 127.0.0.1), DATABASE_URL
 * (postgres://, or mysql:// / mariadb://: a real server instead of the embedded one), NOTES_KEY (base64url 32-byte body encryption key),
 * XDG_DATA_HOME (where the default data directory goes).
 */
import { parseArgs } from 'node:util'
import { type RunningService, startService } from './app.js'
import { defaultDataDir } from './storage/data-dir.js'

// Everything this process creates — the data directory, PGlite's files (which it creates 0666), the
// socket directory — is for this user alone. The umask is process-wide and workers cannot set it
// (process.umask throws there), so it is set here, before any of them is created.
process.umask(0o077)

const USAGE = `usage: npm start -- [--data DIR | --memory]
  --data DIR   keep the embedded database and the generated key in DIR, which must be this
               user's alone (default: ${defaultDataDir()})
  --memory     keep everything in memory (gone when the process ends)`

function options() {
  const { values } = parseArgs({
    options: { data: { type: 'string' }, memory: { type: 'boolean' }, help: { type: 'boolean' } },
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  if (values.memory && values.data !== undefined) throw new RangeError('give --data or --memory, not both')
  const port = Number(process.env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`PORT is not a port: ${process.env.PORT}`)
  const databaseUrl = process.env.DATABASE_URL === '' ? undefined : process.env.DATABASE_URL
  return {
    databaseUrl,
    dataDir: values.memory ? null : (values.data ?? defaultDataDir()),
    host: process.env.HOST ?? '127.0.0.1',
    port,
    key: process.env.NOTES_KEY,
    log: (line: string) => console.error(line),
  }
}

function banner(service: RunningService): string {
  const body = `-H 'content-type: application/json' -d '{"username":"ada","password":"correct horse"}'`
  return [
    `covet notes service listening on ${service.url}`,
    `database: ${service.database}`,
    `note bodies encrypted with the key from ${service.keyOrigin}`,
    'try:',
    `  curl -s -X POST ${service.url}/users ${body}`,
    `  curl -s -X POST ${service.url}/login ${body}`,
    'Ctrl-C stops it.',
  ].join('\n')
}

let service: RunningService
try {
  service = await startService(options())
} catch (error) {
  console.error(`could not start: ${error instanceof Error ? error.message : error}`)
  process.exit(1)
}
console.log(banner(service))

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second Ctrl-C while draining means "now".
    if (stopping) process.exit(130)
    stopping = true
    console.log(`\n${signal}: finishing requests, draining the pool, closing the database...`)
    service.close().then(
      () => {
        console.log('stopped cleanly')
        process.exit(0)
      },
      (error: unknown) => {
        console.error(`shutdown failed: ${error instanceof Error ? error.stack : error}`)
        process.exit(1)
      },
    )
  })
}
