import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MySqlConnection } from '../../../src/mysql/connection.js'
import { getMariaDb, type MariaDbServer } from '../../harness/index.js'

/**
 * Every column type read through covet — text protocol (query) and binary protocol (execute) —
 * against what the mariadb CLI prints for the same rows (issue 15). Each column names the CLI
 * expression that prints it comparably and how a covet value is printed the same way.
 */
let server: MariaDbServer
let conn: MySqlConnection
let asStrings: MySqlConnection

const pad = (n: number, w = 2) => String(n).padStart(w, '0')
const utcDateTime = (d: Date) =>
  `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`

interface Column {
  name: string
  type: string
  /** Expression the CLI prints (default: the column). */
  cli?: string
  /** How a covet value prints like the CLI (default: String). */
  show?: (v: unknown) => string
  values: string[]
}

const hex = (v: unknown) => (v as Buffer).toString('hex').toUpperCase()
const COLUMNS: Column[] = [
  { name: 'ti', type: 'TINYINT', values: ['-128', '127', '0'] },
  { name: 'tiu', type: 'TINYINT UNSIGNED', values: ['255', '0', '1'] },
  { name: 'si', type: 'SMALLINT', values: ['-32768', '32767', '5'] },
  { name: 'mi', type: 'MEDIUMINT', values: ['-8388608', '8388607', '6'] },
  { name: 'mu', type: 'MEDIUMINT UNSIGNED', values: ['16777215', '0', '7'] },
  { name: 'i', type: 'INT', values: ['-2147483648', '2147483647', '8'] },
  { name: 'iu', type: 'INT UNSIGNED', values: ['4294967295', '0', '9'] },
  { name: 'bi', type: 'BIGINT', values: ['-9223372036854775808', '9223372036854775807', '10'] },
  { name: 'bu', type: 'BIGINT UNSIGNED', values: ['18446744073709551615', '0', '11'] },
  // FLOAT: the text protocol (and the CLI) shows 6 significant digits; compared at that precision.
  {
    name: 'f',
    type: 'FLOAT',
    values: ['1.1', '-3.40282e38', '1.23457e-10'],
    show: (v) => String(Number((v as number).toPrecision(6))),
  },
  { name: 'd', type: 'DOUBLE', values: ['1.1', '-1.7976931348623157e308', '5e-324'] },
  {
    name: 'de',
    type: 'DECIMAL(38,10)',
    values: ["'1234567890123456789012345678.0123456789'", "'-0.0000000001'", '0'],
  },
  { name: 'dt', type: 'DATE', values: ["'2024-02-29'", "'1000-01-01'", "'9999-12-31'"] },
  {
    name: 'dtm',
    type: 'DATETIME(3)',
    values: ["'2024-02-29 23:59:59.123'", "'1000-01-01 00:00:00.000'", "'9999-12-31 23:59:59.999'"],
    show: (v) => utcDateTime(v as Date),
  },
  {
    name: 'ts',
    type: 'TIMESTAMP(3) NULL',
    values: ["'2038-01-19 03:14:07.999'", "'1970-01-01 00:00:01.000'", "'2000-06-15 12:00:00.500'"],
    show: (v) => utcDateTime(v as Date),
  },
  { name: 'tm', type: 'TIME(2)', values: ["'-838:59:59.00'", "'838:59:59.00'", "'00:00:00.01'"] },
  { name: 'y', type: 'YEAR', values: ['1901', '2155', '2024'] },
  {
    name: 'b1',
    type: 'BIT(1)',
    cli: 'b1+0',
    show: (v) => String((v as Buffer)[0]),
    values: ["b'1'", "b'0'", "b'1'"],
  },
  {
    name: 'b10',
    type: 'BIT(10)',
    cli: 'b10+0',
    show: (v) => String((v as Buffer).readUIntBE(0, 2)),
    values: ["b'1000000001'", "b'0'", "b'1111111111'"],
  },
  { name: 'en', type: "ENUM('a','b c','ü')", values: ["'a'", "'b c'", "'ü'"] },
  { name: 'se', type: "SET('x','y','z')", values: ["'x,z'", "''", "'y'"] },
  { name: 'ch', type: 'CHAR(5)', values: ["'ab'", "''", "'żółw'"] },
  { name: 'vc', type: 'VARCHAR(64)', values: ["'emoji 🐢 4 bytes'", "'tab'", "'x'"] },
  { name: 'tx', type: 'TEXT', values: ["REPEAT('long ', 100)", "''", "'t'"] },
  {
    name: 'bl',
    type: 'BLOB',
    cli: 'HEX(bl)',
    show: hex,
    values: ["X'00FF10'", "''", "UNHEX(REPEAT('AB', 300))"],
  },
  { name: 'vb', type: 'VARBINARY(8)', cli: 'HEX(vb)', show: hex, values: ["X'DEADBEEF'", "X''", "X'00'"] },
  { name: 'bn', type: 'BINARY(3)', cli: 'HEX(bn)', show: hex, values: ["X'01'", "X'FFFFFF'", "X'000000'"] },
  {
    name: 'j',
    type: 'JSON',
    show: (v) => JSON.stringify(v),
    values: [`'{"a": [1, "x", null], "b": {"c": true}}'`, "'[]'", '\'"s"\''],
  },
  {
    name: 'g',
    type: 'GEOMETRY',
    cli: 'HEX(g)',
    show: hex,
    values: ['POINT(1, 2)', "ST_GeomFromText('LINESTRING(0 0, 1 1)')", 'POINT(-1.5, 0)'],
  },
]

/** The CLI's JSON differs in spacing, its floats in notation (1e38, 0.000000000123457): compare parsed. */
function normalise(c: Column, text: string): string {
  if (c.name === 'j') return JSON.stringify(JSON.parse(text))
  if (c.name === 'f' || c.name === 'd') return String(Number(text))
  return text
}

async function cliRows(): Promise<string[][]> {
  const exprs = COLUMNS.map((c) => c.cli ?? c.name).join(', ')
  const out = await server.mariadb(
    `SET NAMES utf8mb4, time_zone = '+00:00'; SELECT ${exprs} FROM types_t ORDER BY id`,
  )
  return out
    .trimEnd()
    .split('\n')
    .map((line) => line.split('\t'))
}

before(async () => {
  server = await getMariaDb()
  conn = await MySqlConnection.connect(server.url)
  asStrings = await MySqlConnection.connect(server.url, {})
  const defs = COLUMNS.map((c) => `${c.name} ${c.type}`).join(', ')
  await server.mariadb(
    `DROP TABLE IF EXISTS types_t; CREATE TABLE types_t (id INT PRIMARY KEY, ${defs}, nul INT NULL) DEFAULT CHARSET=utf8mb4`,
  )
  const rows = [0, 1, 2].map((r) => `(${r}, ${COLUMNS.map((c) => c.values[r]).join(', ')}, NULL)`)
  await server.mariadb(
    `SET NAMES utf8mb4, time_zone = '+00:00'; INSERT INTO types_t VALUES ${rows.join(', ')}`,
  )
})
after(async () => {
  await conn?.close()
  await asStrings?.close()
})

describe('every MariaDB column type against the mariadb CLI', () => {
  it('text protocol (query) prints like the CLI', async () => {
    const cli = await cliRows()
    const rows = await conn.query<Record<string, unknown>>('SELECT * FROM types_t ORDER BY id')
    assert.equal(rows.length, 3)
    rows.forEach((row, r) => {
      COLUMNS.forEach((c, i) => {
        const show = c.show ?? String
        assert.equal(normalise(c, show(row[c.name])), normalise(c, cli[r]![i]!), `${c.name} row ${r}`)
      })
      assert.equal(row.nul, null)
    })
  })

  it('binary protocol (execute) gives the same values as the text protocol', async () => {
    const text = await conn.query<Record<string, unknown>>('SELECT * FROM types_t ORDER BY id')
    const binary = await conn.execute<Record<string, unknown>>(
      'SELECT * FROM types_t WHERE id >= ? ORDER BY id',
      [0],
    )
    assert.equal(binary.length, 3)
    binary.forEach((row, r) => {
      for (const c of COLUMNS) {
        if (c.name === 'f') continue // FLOAT: binary keeps the single's digits the text protocol rounds
        assert.deepEqual(row[c.name], text[r]![c.name], `${c.name} row ${r}`)
      }
    })
    assert.equal(binary[0]!.f, 1.1)
  })

  it('maps types to JavaScript exactly by default', async () => {
    const [row] = await conn.execute<Record<string, unknown>>('SELECT * FROM types_t WHERE id = ?', [0])
    assert.equal(row!.bu, 2n ** 64n - 1n)
    assert.equal(row!.bi, -(2n ** 63n))
    assert.equal(row!.de, '1234567890123456789012345678.0123456789')
    assert.equal(row!.dt, '2024-02-29')
    assert.deepEqual(row!.dtm, new Date('2024-02-29T23:59:59.123Z'))
    assert.deepEqual(row!.j, { a: [1, 'x', null], b: { c: true } })
    assert.ok(Buffer.isBuffer(row!.bl))
    assert.equal(row!.tm, '-838:59:59.00')
  })

  it('string modes give the exact text through both protocols', async () => {
    const c = await MySqlConnection.connect({
      ...optionsOf(server),
      types: { datetime: 'string', bigint: 'string', json: 'string' },
    })
    try {
      for (const rows of [
        await c.query<Record<string, unknown>>('SELECT dtm, ts, bu, j FROM types_t WHERE id = 0'),
        await c.execute<Record<string, unknown>>('SELECT dtm, ts, bu, j FROM types_t WHERE id = ?', [0]),
      ]) {
        assert.deepEqual(
          { ...rows[0] },
          {
            dtm: '2024-02-29 23:59:59.123',
            ts: '2038-01-19 03:14:07.999',
            bu: '18446744073709551615',
            j: '{"a": [1, "x", null], "b": {"c": true}}',
          },
        )
      }
    } finally {
      await c.close()
    }
  })

  it('BIT(1) as boolean on request; DATETIME read in a non-UTC session zone', async () => {
    const c = await MySqlConnection.connect({
      ...optionsOf(server),
      timezone: '-03:00',
      types: { bitOneAsBoolean: true },
    })
    try {
      const [row] = await c.execute<{ b1: boolean; ts: Date }>('SELECT b1, ts FROM types_t WHERE id = ?', [0])
      assert.equal(row!.b1, true)
      // TIMESTAMP is an instant: the same Date whatever the session zone.
      assert.deepEqual(row!.ts, new Date('2038-01-19T03:14:07.999Z'))
    } finally {
      await c.close()
    }
  })
})

describe('parameters written through the binary protocol, read back by the CLI', () => {
  it('stores each JavaScript type as the CLI shows it', async () => {
    await server.mariadb(
      'DROP TABLE IF EXISTS params_t; CREATE TABLE params_t (id INT, bu BIGINT UNSIGNED, bi BIGINT, d DOUBLE, s VARCHAR(20), b VARBINARY(4), t TINYINT, dtm DATETIME(6), j JSON, n INT)',
    )
    const when = new Date('2024-03-01T12:34:56.789Z')
    await conn.execute('INSERT INTO params_t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      1,
      2n ** 64n - 1n,
      -(2n ** 63n),
      0.1,
      'héllo',
      Buffer.from([0, 255]),
      true,
      when,
      { k: [1, 2] },
      null,
    ])
    const out = await server.mariadb(
      "SET NAMES utf8mb4; SELECT id, bu, bi, d, s, HEX(b), t, dtm, j, IFNULL(n, 'NULL') FROM params_t",
    )
    assert.deepEqual(out.trim().split('\t'), [
      '1',
      '18446744073709551615',
      '-9223372036854775808',
      '0.1',
      'héllo',
      '00FF',
      '1',
      '2024-03-01 12:34:56.789000',
      '{"k":[1,2]}',
      'NULL',
    ])
  })
})

function optionsOf(s: MariaDbServer) {
  const url = new URL(s.url)
  return {
    host: url.hostname,
    port: Number(url.port),
    user: 'covet',
    password: decodeURIComponent(url.password),
    database: 'covet',
  }
}
