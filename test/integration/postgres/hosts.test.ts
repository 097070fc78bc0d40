import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { before, describe, it } from 'node:test'
import { type PgConnectionOptions, parsePgUrl } from '../../../src/postgres/config.js'
import { PgConnection } from '../../../src/postgres/connection.js'
import { getPostgres } from '../../harness/index.js'

/** A port nothing listens on: bound, then released. */
async function deadPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

// libpq's multi-host strings, target_session_attrs and load_balance_hosts.
describe('PgConnection host selection', () => {
  let base: PgConnectionOptions
  let host: string
  let port: number
  before(async () => {
    base = { ...parsePgUrl((await getPostgres()).urls.trust), sslmode: 'disable' }
    host = String(base.host ?? '127.0.0.1')
    port = Number(base.port ?? 5432)
  })

  const connectsTo = async (options: PgConnectionOptions) => {
    const conn = await PgConnection.connect(options)
    try {
      return { host: conn.config.host, port: conn.config.port }
    } finally {
      await conn.close()
    }
  }

  it('skips a host that refuses the connection', async () => {
    const dead = await deadPort()
    const options = { ...base, host: `${host},${host}`, port: `${dead},${port}` }
    assert.deepEqual(await connectsTo(options), { host, port })
    const url = `postgres://${base.user}@${host}:${dead},${host}:${port}/${base.database}?sslmode=disable`
    assert.deepEqual(await connectsTo(url as unknown as PgConnectionOptions), { host, port })
  })

  it('fails with every host in the message when none answers', async () => {
    const [a, b] = [await deadPort(), await deadPort()]
    const err = await PgConnection.connect({ ...base, host: `${host},${host}`, port: `${a},${b}` }).catch(
      (e) => e,
    )
    assert.equal(err.code, 'ERR_CONNECTION_FAILED')
    assert.match(err.message, new RegExp(`${a}.*${b}`))
    assert.equal(err.cause.errors.length, 2)
  })

  it('matches target_session_attrs against a primary', async () => {
    assert.deepEqual(await connectsTo({ ...base, targetSessionAttrs: 'read-write' }), { host, port })
    assert.deepEqual(await connectsTo({ ...base, targetSessionAttrs: 'primary' }), { host, port })
    assert.deepEqual(await connectsTo({ ...base, targetSessionAttrs: 'prefer-standby' }), { host, port })
    await assert.rejects(PgConnection.connect({ ...base, targetSessionAttrs: 'standby' }), {
      code: 'ERR_CONNECTION_FAILED',
    })
    await assert.rejects(PgConnection.connect({ ...base, targetSessionAttrs: 'read-only' }), {
      code: 'ERR_CONNECTION_FAILED',
    })
    // A session that defaults to read-only is what read-only asks for.
    const readOnly = { ...base, options: '-c default_transaction_read_only=on' }
    assert.deepEqual(await connectsTo({ ...readOnly, targetSessionAttrs: 'read-only' }), { host, port })
  })

  it('load_balance_hosts=random still finds the live host', async () => {
    const dead = await deadPort()
    for (let i = 0; i < 5; i++) {
      const options = {
        ...base,
        host: `${host},${host}`,
        port: `${dead},${port}`,
        loadBalanceHosts: 'random' as const,
      }
      assert.deepEqual(await connectsTo(options), { host, port })
    }
  })
})
