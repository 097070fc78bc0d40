import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { after, describe, it } from 'node:test'
import { MySqlConnection } from '../../../src/mysql/connection.js'
import { ColumnType } from '../../../src/mysql/protocol/constants.js'
import {
  column,
  eof,
  frame,
  lenenc,
  ok,
  prepareOk,
  textRow,
} from '../../unit/mysql/protocol/server-packets.js'
import { closeScriptedServers, queryText, type Received, scriptedServer } from './scripted-server.js'

/**
 * The paths a MySQL server takes, which the harness MariaDB never does: no statement id -1
 * (MARIADB_CLIENT_STMT_BULK_OPERATIONS is MariaDB's), so a PREPARE is answered before its EXECUTE
 * is written and nothing is written behind it meanwhile; and EOF packets without
 * CLIENT_DEPRECATE_EOF. Played by a scripted server.
 */
after(closeScriptedServers)

const COM_STMT_PREPARE = 0x16
const COM_STMT_EXECUTE = 0x17
const longRow = (v: bigint) => {
  const b = Buffer.alloc(10)
  b.writeBigInt64LE(v, 2)
  return b // 0x00 header, a one-byte NULL bitmap, the int64
}

function answers(deprecateEof: boolean) {
  const end = deprecateEof ? [] : [eof()]
  const rowsEnd = deprecateEof ? ok({ header: 0xfe }) : eof()
  let held: (() => void) | undefined
  let release: () => void = () => {}
  const released = new Promise<void>((r) => {
    release = r
  })
  const script = (c: Received, socket: Socket) => {
    if (c.payload[0] === COM_STMT_PREPARE) {
      const params = [column({ name: '?', type: ColumnType.VAR_STRING }), ...end]
      const reply = () =>
        socket.write(frame([prepareOk(7, 1, 1), ...params, column({ name: 'v', type: 8 }), ...end]))
      held = reply
      void released.then(reply)
    } else if (c.payload[0] === COM_STMT_EXECUTE) {
      const value = c.payload.readBigInt64LE(c.payload.length - 8)
      socket.write(frame([lenenc(1), column({ name: 'v', type: 8 }), ...end, longRow(value * 2n), rowsEnd]))
    } else if (queryText(c) === 'SELECT 2') {
      socket.write(frame([lenenc(1), column({ name: 'n', type: 3 }), ...end, textRow(['2']), rowsEnd]))
    }
  }
  return { script, release, isHeld: () => held !== undefined }
}

const kinds = (received: Received[], from: number) =>
  received
    .slice(from)
    .map((r) =>
      r.payload[0] === COM_STMT_EXECUTE
        ? `EXECUTE ${r.payload.readUInt32LE(1)}`
        : r.payload[0] === 0x16
          ? 'PREPARE'
          : queryText(r),
    )

describe('a MySQL server (no PREPARE + EXECUTE pipelining)', { timeout: 30_000 }, () => {
  for (const deprecateEof of [true, false]) {
    it(`awaits PREPARE, holds the queue behind it, then executes by id (${deprecateEof ? 'OK' : 'EOF'} packets)`, async () => {
      const a = answers(deprecateEof)
      const { url, received } = await scriptedServer({ deprecateEof, script: a.script })
      const c = await MySqlConnection.connect(url)
      try {
        const start = received.length
        const first = c.execute<{ v: bigint }>('SELECT ? AS v', [21n])
        while (!a.isHeld()) await new Promise((r) => setImmediate(r))
        // Made while PREPARE waits for its answer: it must not overtake the EXECUTE.
        const behind = c.query<{ n: number }>('SELECT 2')
        for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r))
        assert.deepEqual(kinds(received, start), ['PREPARE'])
        a.release()
        assert.equal((await first)[0]!.v, 42n)
        assert.equal((await behind)[0]!.n, 2)
        const [again] = await c.execute<{ v: bigint }>('SELECT ? AS v', [5n])
        assert.equal(again!.v, 10n)
        assert.deepEqual(kinds(received, start), ['PREPARE', 'EXECUTE 7', 'SELECT 2', 'EXECUTE 7'])
      } finally {
        await c.close()
      }
    })
  }

  it('a parameter count PREPARE contradicts fails the call before any EXECUTE', async () => {
    const a = answers(true)
    const { url, received } = await scriptedServer({ script: a.script })
    a.release()
    const c = await MySqlConnection.connect(url)
    try {
      const start = received.length
      await assert.rejects(c.execute('SELECT ? AS v', []), /takes 1 parameters, 0 given/)
      assert.deepEqual(kinds(received, start), ['PREPARE'])
    } finally {
      await c.close()
    }
  })
})
