import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { MySqlConnection } from '../../../src/mysql/connection.js'
import { MAX_PACKET_PAYLOAD } from '../../../src/mysql/protocol/constants.js'
import { getMariaDb, type MariaDbServer } from '../../harness/index.js'

/**
 * Payloads of 16 MiB and more split into 0xFFFFFF-byte packets both ways ("Packet Splitting"),
 * including an exact multiple that needs the empty trailing packet — without it the server would
 * wait for more and the test would time out — and a text row starting with 0xFE (the int<lenenc>
 * of a value of 2^24 bytes or more) that must not be read as the end of the rows.
 */
let server: MariaDbServer
let conn: MySqlConnection

before(async () => {
  server = await getMariaDb()
  await server.mariadb('SET GLOBAL max_allowed_packet = 67108864')
  conn = await MySqlConnection.connect(server.url) // takes the new max_allowed_packet
  await conn.query('CREATE TABLE IF NOT EXISTS big_t (id INT PRIMARY KEY, b LONGBLOB)')
})
after(async () => {
  await conn?.close()
})

const sha = (b: Buffer) => createHash('sha1').update(b).digest('hex')

function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n)
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff
  return b
}

// COM_STMT_EXECUTE of (id, b): 0x17, id(4), flags(1), iterations(4), bitmap(1), send-types(1),
// types(2×2), the id value (8) and the int<lenenc> prefix of b (4) = 28 bytes before its content.
const EXACT = MAX_PACKET_PAYLOAD - 28

describe('payloads of 16 MiB and more', { timeout: 120_000 }, () => {
  for (const [label, size] of [
    ['exactly 0xFFFFFF bytes (empty trailing packet)', EXACT],
    ['one byte more', EXACT + 1],
    ['17 MiB', 17 * 1024 * 1024],
  ] as const) {
    it(`execute() sends and both protocols read back a parameter making the packet ${label}`, async () => {
      const blob = pattern(size)
      await conn.execute('REPLACE INTO big_t VALUES (?, ?)', [1, blob])
      const [binary] = await conn.execute<{ b: Buffer }>('SELECT b FROM big_t WHERE id = ?', [1])
      assert.equal(binary!.b.length, size)
      assert.equal(sha(binary!.b), sha(blob))
      const [text] = await conn.query<{ b: Buffer }>('SELECT b FROM big_t WHERE id = 1')
      assert.equal(sha(text!.b), sha(blob))
      const [cli] = (await server.mariadb('SELECT SHA1(b) FROM big_t WHERE id = 1')).trim().split('\n')
      assert.equal(cli, sha(blob))
    })
  }

  it('a text row starting with 0xFE (a value of 2^24+ bytes) is a row, not the end of rows', async () => {
    const rows = await conn.query<{ b: Buffer; n: number }>('SELECT b, 7 AS n FROM big_t WHERE id = 1')
    assert.equal(rows.length, 1)
    assert.equal(rows[0]!.b.length, 17 * 1024 * 1024)
    assert.equal(rows[0]!.n, 7)
  })

  it('query() sends SQL text longer than 16 MiB', async () => {
    const literal = 'z'.repeat(17 * 1024 * 1024)
    const [row] = await conn.query<{ n: bigint }>(`SELECT LENGTH('${literal}') AS n`)
    assert.equal(Number(row!.n), literal.length)
  })
})
