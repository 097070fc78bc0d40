import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { after, describe, it } from 'node:test'
import { MySqlConnection } from '../../../src/mysql/connection.js'
import { startMariaDb } from '../../harness/index.js'
import { column, frame, lenenc, ok, prepareOk } from '../../unit/mysql/protocol/server-packets.js'
import { closeScriptedServers, type Received, scriptedServer } from './scripted-server.js'

/**
 * pipelinePrepare (MariaDB 10.2+): COM_STMT_PREPARE and COM_STMT_EXECUTE with statement id -1 in
 * one flight. Off by default because of what MariaDB 10.11 does when max_prepared_stmt_count is
 * reached (the last test shows it); when on, an EXECUTE(-1) whose PREPARE failed answers for nothing.
 */
after(closeScriptedServers)

const kinds = (received: Received[], from: number) =>
  received
    .slice(from)
    .map((r) =>
      r.payload[0] === 0x17
        ? `EXECUTE ${r.payload.readUInt32LE(1).toString(16)}`
        : r.payload[0] === 0x16
          ? 'PREPARE'
          : '?',
    )

/** Holds its answers until release(), then gives them in order (a server answers in order). */
function holdingServer() {
  let socket: Socket | undefined
  const answers: Buffer[] = []
  let released = false
  const answer = (bytes: Buffer) => {
    if (released) socket!.write(bytes)
    else answers.push(bytes)
  }
  return {
    ready: () => answers.length > 0,
    release: () => {
      released = true
      for (const a of answers.splice(0)) socket!.write(a)
    },
    script: (c: Received, s: Socket) => {
      socket = s
      if (c.payload[0] === 0x16) {
        answer(frame([prepareOk(3, 1, 1), column({ name: '?', type: 253 }), column({ name: 'v', type: 3 })]))
      } else if (c.payload[0] === 0x17) {
        const row = Buffer.from([0, 0, 9, 0, 0, 0])
        answer(frame([lenenc(1), column({ name: 'v', type: 3 }), row, ok({ header: 0xfe })]))
      }
    },
  }
}

describe('PREPARE + EXECUTE(-1) pipelining (pipelinePrepare)', { timeout: 60_000 }, () => {
  for (const pipelinePrepare of [true, false]) {
    it(`${pipelinePrepare ? 'on: both go before PREPARE is answered' : 'off (default): EXECUTE waits for the statement id'}`, async () => {
      const fake = holdingServer()
      const { url, received } = await scriptedServer({ mariaDb: true, script: fake.script })
      const c = await MySqlConnection.connect(`${url}&pipelinePrepare=${pipelinePrepare}`)
      try {
        const start = received.length
        const run = c.execute<{ v: number }>('SELECT ? AS v', [9])
        while (!fake.ready()) await new Promise((r) => setImmediate(r))
        for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r))
        assert.deepEqual(
          kinds(received, start),
          pipelinePrepare ? ['PREPARE', 'EXECUTE ffffffff'] : ['PREPARE'],
        )
        fake.release()
        assert.equal((await run)[0]!.v, 9)
        assert.deepEqual(
          kinds(received, start),
          pipelinePrepare ? ['PREPARE', 'EXECUTE ffffffff'] : ['PREPARE', 'EXECUTE 3'],
        )
      } finally {
        await c.close()
      }
    })
  }

  it('at max_prepared_stmt_count MariaDB runs the previous statement for EXECUTE(-1): covet returns none of its rows, warns, stops pipelining', async () => {
    const own = await startMariaDb()
    const warnings: Error[] = []
    const onWarning = (w: Error) => warnings.push(w)
    process.on('warning', onWarning)
    try {
      const c = await MySqlConnection.connect(`${own.url}?pipelinePrepare=true`)
      try {
        const [first] = await c.execute<{ a: bigint }>('SELECT ? AS a', [111])
        assert.equal(first!.a, 111n)
        await own.mariadb('SET GLOBAL max_prepared_stmt_count = 1')
        const error = await c.execute('SELECT ? AS b', [222]).catch((e) => e)
        assert.equal(error.errnoName, 'ER_MAX_PREPARED_STMT_COUNT_REACHED')
        await c.ping() // the EXECUTE(-1)'s answer has been read by now
        assert.ok(
          warnings.some((w) => /previously prepared statement/.test(w.message)),
          'warned',
        )
        // The limit is lifted: the call works again, its PREPARE now answered before its EXECUTE.
        await own.mariadb('SET GLOBAL max_prepared_stmt_count = 100')
        const [row] = await c.execute<{ b: bigint }>('SELECT ? AS b', [222])
        assert.equal(row!.b, 222n)
      } finally {
        await c.close()
      }
    } finally {
      process.off('warning', onWarning)
      await own.stop()
    }
  })
})
