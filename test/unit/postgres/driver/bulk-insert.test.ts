import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ParamCodec } from '../../../../src/postgres/codecs.js'
import type { PgConnection } from '../../../../src/postgres/connection.js'
import { bulkInsert, qualifiedTable } from '../../../../src/postgres/driver/bulk-insert.js'

const int4: ParamCodec = {
  format: 1,
  encode: (v) => {
    if (typeof v !== 'number') throw new TypeError('not a number')
    const b = Buffer.alloc(4)
    b.writeInt32BE(v)
    return b
  },
}
const text: ParamCodec = { format: 1, encode: (v) => Buffer.from(String(v)) }

/** A connection stub: describes (int4, text) and records what COPY would send. */
function stub(binary: (oid: number) => ParamCodec | undefined = (oid) => (oid === 23 ? int4 : text)) {
  const seen: { sql: string[]; bytes: Buffer } = { sql: [], bytes: Buffer.alloc(0) }
  const conn = {
    codecs: { binary },
    query: async (sql: string) => {
      seen.sql.push(sql)
      return Object.assign([], { fields: [{ typeOid: 23 }, { typeOid: 25 }] })
    },
    copyFrom: async (sql: string, source: AsyncIterable<Uint8Array>) => {
      seen.sql.push(sql)
      const chunks: Buffer[] = []
      for await (const chunk of source) chunks.push(Buffer.from(chunk))
      seen.bytes = Buffer.concat(chunks)
      return 0
    },
  }
  return { conn: conn as unknown as PgConnection, seen }
}

describe('bulkInsert binary COPY encoding', () => {
  it('writes the signature, one tuple per row with NULLs as -1, and the trailer', async () => {
    const { conn, seen } = stub()
    await bulkInsert(conn, 'my table', ['id', 'name'], [[1, 'a'], { id: 2, name: null }])
    assert.equal(seen.sql[0], 'SELECT "id", "name" FROM "my table" LIMIT 0')
    assert.equal(seen.sql[1], 'COPY "my table" ("id", "name") FROM STDIN (FORMAT binary)')
    const expected = Buffer.concat([
      Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from([0, 2, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0x61]),
      Buffer.from([0, 2, 0, 0, 0, 4, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0xff, 0xff]),
    ])
    assert.deepEqual(seen.bytes, expected)
  })

  it('splits large inputs into chunks of about chunkBytes', async () => {
    const chunks: number[] = []
    const { conn } = stub()
    ;(conn as unknown as { copyFrom: unknown }).copyFrom = async (
      _: string,
      source: AsyncIterable<Uint8Array>,
    ) => {
      for await (const chunk of source) chunks.push(chunk.length)
      return 0
    }
    const rows = Array.from({ length: 10_000 }, (_, i) => [i, 'x'.repeat(20)])
    await bulkInsert(conn, 't', ['id', 'name'], rows, { chunkBytes: 4096 })
    assert.ok(chunks.length > 50)
    assert.ok(chunks.slice(0, -1).every((n) => n >= 4096 && n < 4096 + 64))
  })

  it('a bad row throws from the source (so the COPY is aborted) without the value in the message', async () => {
    const { conn } = stub()
    await assert.rejects(
      bulkInsert(
        conn,
        't',
        ['id', 'name'],
        [
          [1, 'a'],
          ['secret', 'b'],
        ],
      ),
      (err: Error & { code: string }) => {
        assert.equal(err.code, 'ERR_TYPE_ENCODE')
        assert.match(err.message, /row 1, column "id"/)
        assert.doesNotMatch(err.message, /secret/)
        return true
      },
    )
    await assert.rejects(bulkInsert(conn, 't', ['id', 'name'], [[1]]), {
      message: /row 0 has 1 values for 2/,
    })
    await assert.rejects(bulkInsert(conn, 't', ['id', 'name'], [7 as never]), {
      code: 'ERR_INVALID_ARGUMENT',
    })
  })

  it('refuses a column type with no binary encoder, and bad arguments', async () => {
    const { conn } = stub(() => undefined)
    await assert.rejects(bulkInsert(conn, 't', ['id', 'name'], []), {
      code: 'ERR_UNSUPPORTED',
      message: /"id"/,
    })
    await assert.rejects(bulkInsert(conn, 't', [], []), { code: 'ERR_INVALID_ARGUMENT' })
    await assert.rejects(bulkInsert(conn, 't', ['a'], null as never), { code: 'ERR_INVALID_ARGUMENT' })
    await assert.rejects(bulkInsert(conn, 't', ['a'], [], { chunkBytes: 10 }), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    assert.equal(qualifiedTable(['s', 't']), '"s"."t"')
    assert.throws(() => qualifiedTable(['a', 'b', 'c']), { code: 'ERR_INVALID_ARGUMENT' })
  })
})

describe('bulkInsert fast field writers', () => {
  it('write exactly the bytes of the type layer binary encoders', async () => {
    const { textCodecs } = await import('../../../../src/postgres/codecs.js')
    const { ChunkWriter, fieldWriter } = await import('../../../../src/postgres/driver/bulk-encoders.js')
    const cases: [number, unknown][] = [
      [21, -32768],
      [23, -5],
      [23, 2147483647],
      [20, -(2n ** 63n)],
      [20, 12345678901234n],
      [701, -0.5],
      [701, Number.NaN],
      [701, Number.POSITIVE_INFINITY],
      [16, true],
      [16, false],
      [25, 'héllo 😀'],
      [1043, ''],
      [1184, new Date('2024-01-02T03:04:05.123Z')],
      [1184, new Date('1900-05-06T00:00:00.001Z')],
      [1184, new Date(-8.64e15)],
      // Not taken by the fast path: handed to the type layer.
      [23, '42'],
      [20, 7],
    ]
    for (const [oid, value] of cases) {
      const codec = textCodecs.binary(oid)!
      const out = new ChunkWriter(64)
      fieldWriter(oid, codec)(out, value)
      const expected = Buffer.from(codec.encode(value))
      const written = out.take()
      assert.equal(written.readInt32BE(0), expected.length, `${oid} ${String(value)}`)
      assert.deepEqual(written.subarray(4), expected, `${oid} ${String(value)}`)
    }
  })

  it('leave out-of-range and wrong values to the type layer, which refuses them', async () => {
    const { textCodecs } = await import('../../../../src/postgres/codecs.js')
    const { ChunkWriter, fieldWriter } = await import('../../../../src/postgres/driver/bulk-encoders.js')
    for (const [oid, value] of [
      [23, 2 ** 31],
      [23, 1.5],
      [21, 40000],
      [20, 2n ** 63n],
      [1184, new Date(Number.NaN)],
    ] as [number, unknown][]) {
      assert.throws(() => fieldWriter(oid, textCodecs.binary(oid)!)(new ChunkWriter(64), value), `${oid}`)
    }
  })
})
