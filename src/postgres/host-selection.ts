import { randomInt } from 'node:crypto'
import { ConnectionError, InvalidArgumentError } from '../errors/classes.js'
import type { CovetError } from '../errors/covet-error.js'
import type { PgConfig, TargetSessionAttrs } from './config.js'
import { describe } from './connect-socket.js'

/**
 * libpq's multi-host connection (libpq docs §34.1.1.3): try each host in turn (or in a random
 * order with load_balance_hosts=random) until one connects and matches target_session_attrs.
 * A failure on one host, authentication included, moves on to the next, as in libpq.
 */
export interface SessionProbe {
  query(
    sql: string,
    params: readonly unknown[],
    options: { simple: true },
  ): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

type Want = Exclude<TargetSessionAttrs, 'prefer-standby'>

/** Whether the session is what `want` asks for; one round trip, valid on every server version. */
async function matches(session: SessionProbe, want: Want): Promise<boolean> {
  if (want === 'any') return true
  const [row] = await session.query(
    "select pg_is_in_recovery() as standby, current_setting('transaction_read_only') = 'on' as ro",
    [],
    { simple: true },
  )
  const standby = row?.standby === true
  const readOnly = row?.ro === true
  switch (want) {
    case 'read-write':
      return !readOnly
    case 'read-only':
      return readOnly
    case 'primary':
      return !standby
    case 'standby':
      return standby
  }
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

export async function connectToSomeHost<S extends SessionProbe>(
  config: PgConfig,
  open: (target: PgConfig) => Promise<S>,
): Promise<S> {
  const hosts = config.loadBalanceHosts === 'random' ? shuffled(config.hosts) : config.hosts
  // prefer-standby: a first pass for standbys, then anything (libpq).
  const passes: Want[] =
    config.targetSessionAttrs === 'prefer-standby' ? ['standby', 'any'] : [config.targetSessionAttrs]
  const failures: unknown[] = []
  for (const want of passes) {
    for (const { host, port } of hosts) {
      const target: PgConfig = { ...config, host, port }
      let session: S
      try {
        session = await open(target)
      } catch (err) {
        if (err instanceof InvalidArgumentError) throw err
        failures.push(err)
        continue
      }
      try {
        if (await matches(session, want)) return session
        failures.push(new ConnectionError('ERR_CONNECTION_FAILED', `${describe(target)} is not ${want}`))
      } catch (err) {
        failures.push(err)
      }
      await session.close()
    }
  }
  // A single host keeps its own error (ERR_AUTH, ERR_TLS...), which says more than a summary.
  if (config.hosts.length === 1 && failures.length === 1) throw failures[0] as CovetError
  const tried = config.hosts.map((h) => describe({ ...config, ...h })).join(', ')
  throw new ConnectionError(
    'ERR_CONNECTION_FAILED',
    `no server matched (tried ${tried}; target_session_attrs=${config.targetSessionAttrs})`,
    { cause: new AggregateError(failures) },
  )
}
