import { spawn } from 'node:child_process'
import { sqliteBinary } from '../../harness/index.js'

/**
 * Runs statements with the `sqlite3` command-line shell on a database file. Values are bound as
 * real parameters: the driver stores each one in the shell's `temp.sqlite_parameters` table (what
 * `.parameter set` does) as a literal written HERE, in the test driver only — strings as the hex of
 * their UTF-8 bytes, so no quoting is involved — and the statement's `?` become `?1`, `?2`, …
 * because the shell binds parameters by name (sqlite.org/cli.html, "SQL Parameters").
 */

function literal(value: unknown): string {
  if (value === null) return 'NULL'
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  if (typeof value === 'string') return `CAST(X'${Buffer.from(value, 'utf8').toString('hex')}' AS TEXT)`
  if (value instanceof Date) return literal(value.toISOString())
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString('hex')}'`
  throw new Error(`the SQLite test driver cannot bind a ${typeof value}`)
}

/** `?` → `?N` outside quoted text and quoted identifiers. */
export function numberPlaceholders(sql: string): string {
  let out = ''
  let n = 0
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!
    const close = ch === "'" ? "'" : ch === '"' ? '"' : ch === '`' ? '`' : ch === '[' ? ']' : ''
    if (close !== '') {
      const end = sql.indexOf(close, i + 1)
      const stop = end === -1 ? sql.length : end + 1
      out += sql.slice(i, stop)
      i = stop - 1
    } else if (ch === '?') out += `?${++n}`
    else out += ch
  }
  return out
}

export function sqlite(file: string, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(sqliteBinary(), ['-bail', '-json', file], { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 && err === '' ? resolve(out) : reject(new Error(`sqlite3: ${err.trim()}`)),
    )
    child.stdin.end(script)
  })
}

/** Executes one statement with bound parameters and returns its rows. */
export async function sqliteExecute(
  file: string,
  sql: string,
  params: readonly unknown[],
): Promise<Record<string, unknown>[]> {
  let script = '.parameter init\n'
  params.forEach((p, i) => {
    script += `INSERT INTO temp.sqlite_parameters (key, value) VALUES ('?${i + 1}', ${literal(p)});\n`
  })
  script += `${numberPlaceholders(sql)};\n`
  const out = (await sqlite(file, script)).trim()
  return out === '' ? [] : (JSON.parse(out) as Record<string, unknown>[])
}
