import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parsePgUrl } from '../../../src/postgres/config.js'
import { PgConnection, type PgConnectionSettings } from '../../../src/postgres/connection.js'
import { TypeRegistry } from '../../../src/postgres/types/registry.js'
import { type PgServer, startPostgres } from '../../harness/index.js'
import { SEND_FIXTURES } from '../../unit/postgres/types/send-fixtures.js'

// Every built-in type through a real server (issue 4, Tests): results and parameters, binary and
// text, compared with what psql prints for the same literal.

const CASES = SEND_FIXTURES.filter((f): f is typeof f & { literal: string } => f.literal !== null)
const EXACT = { int8: 'string', timestamps: 'string', json: 'string', textResults: [] } as const

/** What psql -At prints for each literal (hex-encoded so that each value stays on one line). */
async function psqlTexts(server: PgServer, cases: { type: string; literal: string }[]): Promise<string[]> {
  const columns = cases.map(
    (c) => `encode(convert_to(format('%s', (${c.literal})::${c.type}), 'UTF8'), 'hex')`,
  )
  const out = await server.psql(`select ${columns.join(', ')}`)
  return out
    .replace(/\n$/, '')
    .split('|')
    .map((h) => Buffer.from(h, 'hex').toString('utf8'))
}

/** psql's text as the value the exact modes return (arrays: through the text array parser). */
function expected(conn: PgConnection, typeOid: number, type: string, text: string): unknown {
  if (type === 'bool') return text === 't'
  if (['int2', 'int4', 'oid', 'float4', 'float8'].includes(type)) return Number(text)
  if (type === 'bytea') return Buffer.from(text.slice(2), 'hex')
  if (type.endsWith('[]'))
    return conn.codecs.result(typeOid).decode(Buffer.from(text), 0, Buffer.byteLength(text))
  return text
}

// json has no equality operator: compare it as text.
const same = (type: string, a: string, b: string) =>
  type === 'json' ? `(${a})::text = (${b})::text` : `(${a}) is not distinct from (${b})`

describe('PostgreSQL types over a real server', () => {
  let server: PgServer
  const conns: Record<'binary' | 'text' | 'defaults', PgConnection> = {} as never
  let printed: string[]
  before(async () => {
    server = await startPostgres()
    const base: PgConnectionSettings = { ...parsePgUrl(server.urls.trust), sslmode: 'disable' }
    conns.binary = await PgConnection.connect({ ...base, types: EXACT })
    conns.text = await PgConnection.connect({ ...base, types: { ...EXACT, binary: false } })
    conns.defaults = await PgConnection.connect(base)
    printed = await psqlTexts(server, CASES)
  })
  after(async () => {
    await Promise.all(Object.values(conns).map((c) => c.close()))
    await server?.stop()
  })

  for (const mode of ['binary', 'text'] as const) {
    it(`decodes every literal in ${mode} format to what psql prints`, async () => {
      const conn = conns[mode]
      for (const [i, c] of CASES.entries()) {
        const rows = await conn.query(`select (${c.literal})::${c.type} as v`)
        assert.equal(rows.fields[0]!.format, mode === 'binary' ? 1 : 0)
        const want = expected(conn, rows.fields[0]!.typeOid, c.type, printed[i]!)
        assert.deepEqual(rows[0]!.v, want, `${c.type} ${c.literal}`)
      }
    })

    it(`sends every decoded value back as a ${mode} parameter unchanged`, async () => {
      const conn = conns[mode]
      for (const c of CASES) {
        const [{ v }] = (await conn.query(`select (${c.literal})::${c.type} as v`)) as { v: unknown }[]
        const [row] = await conn.query(
          `select ${same(c.type, `$1::${c.type}`, `(${c.literal})::${c.type}`)} as ok, $1::${c.type} as back`,
          [v],
        )
        assert.equal(row!.ok, true, `${c.type} ${c.literal}`)
        assert.deepEqual(row!.back, v, `${c.type} ${c.literal}`)
        const [nulls] = await conn.query(`select $1::${c.type} is null as ok, $1::${c.type} as back`, [null])
        assert.deepEqual(nulls, { ok: true, back: null }, `${c.type} NULL`)
      }
    })
  }

  it('round-trips the extremes: 1000-digit numeric, all 256 bytes, 4-byte UTF-8, NULLs', async () => {
    const big = `-${'9'.repeat(500)}.${'1234567890'.repeat(50)}`
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    const utf8 = '𝄞😀 ü 中'
    for (const conn of [conns.binary, conns.text]) {
      const [row] = await conn.query(
        'select $1::numeric as n, $1::numeric::text = $2 as n_ok, $3::bytea as b, md5($3::bytea) = md5($4::bytea) as b_ok, $5::text as s, length($5::text) as len, $6::int4 as z',
        [big, big, bytes, bytes, utf8, null],
      )
      assert.deepEqual(row, { n: big, n_ok: true, b: bytes, b_ok: true, s: utf8, len: 6, z: null })
    }
  })

  it('returns exact defaults: int8 as bigint, numeric as text, timestamps as Date, date as text', async () => {
    const [row] = await conns.defaults.query(
      "select 9223372036854775807::int8 as i, 0.1::numeric as n, '2024-05-06 07:08:09.123456+02'::timestamptz as tz, '2024-05-06 07:08:09.5'::timestamp as ts, '2024-02-29'::date as d, '{1,NULL}'::int8[] as a, '{\"a\": [1]}'::jsonb as j",
    )
    assert.deepEqual(row, {
      i: 9223372036854775807n,
      n: '0.1',
      tz: new Date('2024-05-06T05:08:09.123Z'),
      ts: new Date('2024-05-06T07:08:09.500Z'),
      d: '2024-02-29',
      a: [1n, null],
      j: { a: [1] },
    })
    const [back] = await conns.defaults.query('select $1::timestamptz = $2::timestamptz as ok', [
      new Date('2024-05-06T05:08:09.123Z'),
      '2024-05-06 07:08:09.123+02',
    ])
    assert.equal(back!.ok, true)
  })

  it('fails a value that does not fit the described type with ERR_TYPE_ENCODE naming the parameter, not the value', async () => {
    const cases: [string, unknown][] = [
      ['int4', 'secret-abc'],
      ['int4', 2 ** 31],
      ['int8', 1.5],
      ['int2', 40000n],
      ['uuid', 'secret-not-a-uuid'],
      ['date', 'secret-2024-13-45'],
      ['numeric', 'secret-1.2.3'],
      ['bool', 'secret-yes'],
    ]
    for (const [type, value] of cases) {
      await assert.rejects(
        conns.defaults.query(`select 1 as x where $1::int4 = 1 or $2::${type} is null`, [1, value]),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'ERR_TYPE_ENCODE', type)
          assert.match(err.message, /parameter \$2/)
          // The value must not appear, except as part of a bound such as -2147483648.
          const shown = String(value).replace(/[.]/g, '\\.')
          assert.doesNotMatch(err.message, new RegExp(`(?<![-\\d])${shown}(?!\\d)`))
          return true
        },
      )
    }
    // The connection stays usable.
    assert.deepEqual([...(await conns.defaults.query('select 1::int4 as one'))], [{ one: 1 }])
  })

  it('keeps typed values on the simple protocol (text results) and rows as arrays', async () => {
    const rows = await conns.defaults.query("select 1::int4 as a, true as b, 'x'::text as c", [], {
      simple: true,
    })
    assert.deepEqual([...rows], [{ a: 1, b: true, c: 'x' }])
    const arrays = await PgConnection.connect({
      ...parsePgUrl(server.urls.trust),
      sslmode: 'disable',
      rowMode: 'array',
    })
    try {
      assert.deepEqual(
        [...(await arrays.query('select 1::int2, $1::float8, null::text', [2.5]))],
        [[1, 2.5, null]],
      )
    } finally {
      await arrays.close()
    }
  })

  it('decodes and encodes custom types registered by name (enum, composite), domains as their base type', async () => {
    const admin = conns.defaults
    await admin.query("create type mood as enum ('sad', 'ok', 'happy')")
    await admin.query('create type pair as (a int4, b text)')
    await admin.query('create domain posint as int4 check (value > 0)')
    const types = new TypeRegistry()
      .register({ name: 'mood', parse: (t) => t.toUpperCase(), serialize: (v) => String(v).toLowerCase() })
      .register({
        name: 'public.pair',
        parse: (t) => {
          const m = /^\((\d+),"?(.*?)"?\)$/.exec(t)!
          return { a: Number(m[1]), b: m[2] }
        },
        serialize: (v) => {
          const { a, b } = v as { a: number; b: string }
          return `(${a},"${b.replace(/["\\]/g, '\\$&')}")`
        },
      })
    const conn = await PgConnection.connect({ ...parsePgUrl(server.urls.trust), sslmode: 'disable', types })
    try {
      await types.resolve(conn)
      const [out] = await conn.query(
        "select 'happy'::mood as m, array['sad', null, 'ok']::mood[] as ms, (1, 'x y')::pair as p, 5::posint as d",
      )
      assert.deepEqual(out, { m: 'HAPPY', ms: ['SAD', null, 'OK'], p: { a: 1, b: 'x y' }, d: 5 })
      const [back] = await conn.query(
        'select $1::mood as m, $2::mood[] as ms, $3::pair as p, $4::posint as d',
        ['OK', ['HAPPY', null], { a: 2, b: 'q, r' }, 7],
      )
      assert.deepEqual(back, { m: 'OK', ms: ['HAPPY', null], p: { a: 2, b: 'q, r' }, d: 7 })
      // Unregistered, an enum is its text both ways.
      const [plain] = await admin.query('select $1::mood as m, $2::mood[] as ms', ['sad', ['ok', 'happy']])
      assert.deepEqual(plain, { m: 'sad', ms: '{ok,happy}' })
      await assert.rejects(new TypeRegistry().register({ name: 'no_such_type' }).resolve(conn), {
        code: 'ERR_INVALID_ARGUMENT',
      })
    } finally {
      await conn.close()
    }
  })
})
