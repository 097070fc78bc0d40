import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isCovetError } from '../../../../src/errors/covet-error.js'
import type { ColumnDefinition } from '../../../../src/mysql/protocol/columns.js'
import { ColumnFlag, ColumnType as T } from '../../../../src/mysql/protocol/constants.js'
import { columnCodec, LENENC, LENGTH_BYTE } from '../../../../src/mysql/types/codecs.js'
import {
  type MySqlTypeOptions,
  parseTimeZone,
  resolveTypeOptions,
} from '../../../../src/mysql/types/options.js'

function col(type: number, extra: Partial<ColumnDefinition> = {}): ColumnDefinition {
  return {
    schema: 's',
    table: 't',
    orgTable: 't',
    name: 'c',
    orgName: 'c',
    collation: 45,
    length: 11,
    type,
    flags: 0,
    decimals: 0,
    extendedType: undefined,
    format: undefined,
    ...extra,
  }
}

function codec(type: number, extra: Partial<ColumnDefinition> = {}, options: MySqlTypeOptions = {}, tz = 0) {
  return columnCodec(col(type, extra), resolveTypeOptions(options, tz))
}

const text = (c: ReturnType<typeof codec>, s: string | Buffer) => {
  const b = typeof s === 'string' ? Buffer.from(s) : s
  return c.text(b, 0, b.length)
}
const binary = (c: ReturnType<typeof codec>, hex: string) => {
  const b = Buffer.from(hex, 'hex')
  return c.binary(b, 0, b.length)
}
const decodeError = (e: unknown) => isCovetError(e) && e.code === 'ERR_TYPE_DECODE'

describe('integers', () => {
  it('TINY..INT and YEAR: numbers, signed or unsigned by the column flag, same in text and binary', () => {
    const cases: [number, number, string, string, number][] = [
      [T.TINY, 1, '-128', '80', -128],
      [T.TINY, 1, '255', 'ff', 255],
      [T.SHORT, 2, '-32768', '0080', -32768],
      [T.SHORT, 2, '65535', 'ffff', 65535],
      [T.INT24, 4, '-8388608', '000080ff', -8388608],
      [T.LONG, 4, '-2147483648', '00000080', -2147483648],
      [T.LONG, 4, '4294967295', 'ffffffff', 4294967295],
      [T.YEAR, 2, '2024', 'e807', 2024],
    ]
    for (const [type, width, txt, bin, value] of cases) {
      const unsigned = value > 0 && type !== T.YEAR ? ColumnFlag.UNSIGNED : 0
      const c = codec(type, { flags: unsigned })
      assert.equal(c.binaryWidth, width)
      assert.equal(text(c, txt), value, `${type} text ${txt}`)
      assert.equal(binary(c, bin), value, `${type} binary ${bin}`)
    }
    assert.throws(() => text(codec(T.LONG), '12a'), decodeError)
  })

  it('BIGINT is an exact bigint by default, signed and unsigned', () => {
    const c = codec(T.LONGLONG)
    assert.equal(text(c, '-9223372036854775808'), -(2n ** 63n))
    assert.equal(text(c, '42'), 42n)
    assert.equal(binary(c, '0000000000000080'), -(2n ** 63n))
    const u = codec(T.LONGLONG, { flags: ColumnFlag.UNSIGNED })
    assert.equal(text(u, '18446744073709551615'), 2n ** 64n - 1n)
    assert.equal(binary(u, 'ffffffffffffffff'), 2n ** 64n - 1n)
  })

  it("BIGINT modes: 'string' exact, 'number' exact or ERR_TYPE_DECODE, 'lossy-number' rounds", () => {
    const big = '9007199254740993' // 2^53 + 1
    const bigHex = '0100000000002000'
    const s = codec(T.LONGLONG, {}, { bigint: 'string' })
    assert.equal(text(s, big), big)
    assert.equal(binary(s, bigHex), big)
    const n = codec(T.LONGLONG, {}, { bigint: 'number' })
    assert.equal(text(n, '9007199254740991'), 2 ** 53 - 1)
    assert.equal(binary(n, 'ffffffffffff1f00'), 2 ** 53 - 1)
    assert.equal(binary(n, '010000000000e0ff'), -(2 ** 53) + 1)
    assert.throws(() => text(n, big), decodeError)
    assert.throws(() => binary(n, bigHex), decodeError)
    assert.throws(() => binary(n, '000000000000e0ff'), decodeError) // -2^53
    const lossy = codec(T.LONGLONG, {}, { bigint: 'lossy-number' })
    assert.equal(text(lossy, big), 2 ** 53)
    assert.equal(binary(lossy, bigHex), 2 ** 53)
  })
})

describe('FLOAT, DOUBLE, DECIMAL', () => {
  it('FLOAT in binary reads as the shortest decimal, as the text protocol shows it', () => {
    const c = codec(T.FLOAT)
    assert.equal(text(c, '1.1'), 1.1)
    assert.equal(binary(c, 'cdcc8c3f'), 1.1)
    assert.equal(binary(c, '00000000'), 0)
    assert.equal(binary(c, 'ffff7f7f'), 3.4028235e38)
    const d = codec(T.DOUBLE)
    assert.equal(text(d, '-1.5e-300'), -1.5e-300)
    assert.equal(binary(d, '9a9999999999f13f'), 1.1)
  })

  it("DECIMAL is the exact text by default in both protocols; 'number' opts in", () => {
    const c = codec(T.NEWDECIMAL)
    assert.equal(c.binaryWidth, LENENC)
    assert.equal(text(c, '12345678901234567890.123456789'), '12345678901234567890.123456789')
    assert.equal(text(codec(T.NEWDECIMAL, {}, { decimal: 'number' }), '-0.5'), -0.5)
  })
})

describe('dates and times', () => {
  it("DATE is 'YYYY-MM-DD' by default; 'date' gives UTC midnight", () => {
    const c = codec(T.DATE)
    assert.equal(c.binaryWidth, LENGTH_BYTE)
    assert.equal(text(c, '2024-02-29'), '2024-02-29')
    assert.equal(binary(c, 'e807021d'), '2024-02-29')
    assert.equal(binary(c, ''), '0000-00-00')
    const d = codec(T.DATE, {}, { date: 'date' })
    assert.deepEqual(text(d, '0099-01-02'), new Date('0099-01-02T00:00:00Z'))
    assert.deepEqual(binary(d, 'e807021d'), new Date('2024-02-29T00:00:00Z'))
    assert.throws(() => text(d, '0000-00-00'), decodeError)
  })

  it('DATETIME/TIMESTAMP are Dates read in the session time zone; µs truncated to ms', () => {
    const c = codec(T.DATETIME, { decimals: 6 }, {}, 2 * 3600_000)
    const expected = new Date('2024-03-01T00:30:00.123Z')
    assert.deepEqual(text(c, '2024-03-01 02:30:00.123456'), expected)
    assert.deepEqual(binary(c, 'e8070301021e0040e20100'), expected)
    assert.deepEqual(binary(c, 'e8070301'), new Date('2024-02-29T22:00:00Z'))
    assert.throws(() => text(c, '0000-00-00 00:00:00'), decodeError)
    assert.throws(() => text(c, '2023-02-29 00:00:00'), decodeError) // ALLOW_INVALID_DATES rows
    assert.throws(() => text(c, '2024-03-01T02:30:00'), decodeError)
    assert.throws(() => binary(c, 'e807'), decodeError)
  })

  it("DATETIME 'string' mode gives the text protocol's form from binary rows too (column decimals)", () => {
    for (const [decimals, expected] of [
      [0, '2024-03-01 02:30:00'],
      [3, '2024-03-01 02:30:00.123'],
      [6, '2024-03-01 02:30:00.123456'],
    ] as const) {
      const c = codec(T.TIMESTAMP, { decimals }, { datetime: 'string' })
      assert.equal(binary(c, 'e8070301021e0040e20100'), expected)
      assert.equal(text(c, expected), expected)
    }
    assert.equal(binary(codec(T.DATETIME, {}, { datetime: 'string' }), ''), '0000-00-00 00:00:00')
  })

  it('TIME is a signed duration string, hours past 24', () => {
    const c = codec(T.TIME, { decimals: 2 })
    assert.equal(text(c, '-838:59:59.00'), '-838:59:59.00')
    assert.equal(binary(c, '01' + '22000000' + '16' + '3b' + '3b' + 'a0860100'), '-838:59:59.10')
    assert.equal(binary(codec(T.TIME), '0000000000010203'), '01:02:03')
    assert.equal(binary(codec(T.TIME, { decimals: 3 }), ''), '00:00:00.000')
  })
})

describe('strings, bytes, JSON, BIT', () => {
  it('text columns are UTF-8 strings; binary collation (63) gives a Buffer that is a copy', () => {
    assert.equal(text(codec(T.VAR_STRING), 'żółw 🐢'), 'żółw 🐢')
    assert.equal(text(codec(T.STRING, { flags: ColumnFlag.ENUM }), 'b'), 'b')
    const row = Buffer.from('xxABxx')
    const blob = codec(T.BLOB, { collation: 63 }).text(row, 2, 2) as Buffer
    assert.deepEqual(blob, Buffer.from('AB'))
    row[2] = 0x5a
    assert.deepEqual(blob, Buffer.from('AB'))
    assert.ok(Buffer.isBuffer(text(codec(T.GEOMETRY, { collation: 63 }), Buffer.from([1, 2]))))
  })

  it('JSON is parsed: MySQL type 245 and MariaDB text columns with format=json; ERR_TYPE_DECODE when not JSON', () => {
    assert.deepEqual(text(codec(T.JSON), '{"a":[1,"x"]}'), { a: [1, 'x'] })
    assert.deepEqual(text(codec(T.BLOB, { format: 'json' }), '[true,null]'), [true, null])
    assert.equal(text(codec(T.BLOB, { format: 'json' }, { json: 'string' }), '[1]'), '[1]')
    const parsed = text(codec(T.JSON), '{"__proto__":{"polluted":1}}') as object
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype)
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
    assert.throws(() => text(codec(T.JSON), '{oops'), decodeError)
  })

  it('BIT is a Buffer; BIT(1) a boolean with bitOneAsBoolean', () => {
    assert.deepEqual(
      text(codec(T.BIT, { collation: 63, length: 10 }), Buffer.from([0x02, 0x01])),
      Buffer.from([2, 1]),
    )
    const one = codec(T.BIT, { collation: 63, length: 1 }, { bitOneAsBoolean: true })
    assert.equal(text(one, Buffer.from([1])), true)
    assert.equal(text(one, Buffer.from([0])), false)
    assert.deepEqual(text(codec(T.BIT, { collation: 63, length: 1 }), Buffer.from([1])), Buffer.from([1]))
  })
})

describe('type options', () => {
  it('refuse unknown options and values, naming them', () => {
    assert.throws(() => resolveTypeOptions({ bigint: 'float' as never }, 0), /types\.bigint must be one of/)
    assert.throws(
      () => resolveTypeOptions({ int8: 'string' } as never, 0),
      /types\.int8 is not a type option/,
    )
    assert.throws(() => resolveTypeOptions({ bitOneAsBoolean: 1 as never }, 0), /bitOneAsBoolean/)
  })

  it('time zones: Z/UTC and fixed offsets; named zones refused (their offset moves with DST)', () => {
    assert.deepEqual(parseTimeZone('Z'), { offsetMs: 0, sql: '+00:00' })
    assert.deepEqual(parseTimeZone('+05:30'), { offsetMs: 5.5 * 3600_000, sql: '+05:30' })
    assert.deepEqual(parseTimeZone('-03:00'), { offsetMs: -3 * 3600_000, sql: '-03:00' })
    for (const bad of ['Europe/Paris', 'local', '+14:00', '-13:00', '+01:60', '+1:00']) {
      assert.throws(
        () => parseTimeZone(bad),
        (e) => isCovetError(e) && e.code === 'ERR_INVALID_ARGUMENT',
        bad,
      )
    }
  })
})
