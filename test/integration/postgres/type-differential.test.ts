import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { parsePgUrl } from '../../../src/postgres/config.js'
import { PgConnection, type PgConnectionSettings } from '../../../src/postgres/connection.js'
import { getPostgres, type PgServer } from '../../harness/index.js'

// Differential tests (issue 14): covet's values against the server's own text for PostgreSQL's
// regression-test inputs, and covet's parameters against node-postgres on the same server.
// A zone with a UTC offset, so that a Date's local time and UTC differ (node-postgres sends local).
process.env.TZ = 'Asia/Kolkata'

/**
 * Inputs from PostgreSQL's src/test/regress/sql (boolean, int2, int4, int8, oid, float4,
 * float8, numeric, text, char, bytea, uuid, json, jsonb, date, time, timetz, timestamp,
 * timestamptz, interval, inet, macaddr, arrays .sql), the ones each type accepts.
 */
const REGRESS: Record<string, string[]> = {
  bool: ['t', 'True', 'true', 'yes', 'y', 'on', '1', ' tRuE ', 'f', 'False', 'no', 'n', 'off', '0'],
  int2: ['0', '1234', '-1234', '32767', '-32767', '-32768', ' 12 '],
  int4: ['0', '123456', '-123456', '2147483647', '-2147483647', '-2147483648'],
  int8: ['123', '4567890123456789', '-4567890123456789', '9223372036854775807', '-9223372036854775808'],
  oid: ['1234', '1235', '987', '-1040', '99999999', '5', '10', '15', '4294967295'],
  float4: [
    '0.0',
    '1004.30',
    '-34.84',
    '1.2345678901234e+20',
    '1.2345678901234e-20',
    'NaN',
    'nan',
    ' NAN ',
    'infinity',
    '-INFINiTY',
    '5e-20',
    '67e14',
    '985e15',
    '55895e-16',
    '7038531e-32',
    '702990899e-20',
    '3e-23',
    '57e18',
    '789e-35',
    '2539e-18',
    '76173e28',
    '887745e-11',
    '5382571e-37',
    '82381273e-35',
    '750486563e-38',
    '1.17549435e-38',
    '1.1754944e-38',
    '-0',
  ],
  float8: [
    '0.0',
    '1004.30',
    '-34.84',
    '1.2345678901234e+200',
    '1.2345678901234e-200',
    'NaN',
    '-Infinity',
    '5e-324',
    '1.7976931348623157e308',
    '-0',
    '0.1',
    '1e22',
    '9007199254740993',
  ],
  numeric: [
    '0',
    '0.0',
    '-0.0',
    '-34338492.215397047',
    '4.31',
    '7799461.4119',
    '16397.038491',
    '93901.57763026',
    '-83028485',
    '74881',
    '-24926804.045047420',
    '1e-20',
    '1.5e3',
    'NaN',
    'Infinity',
    '-Infinity',
    '123456789012345678901234567890.123456789',
    '0.000000000000000000000000000001',
  ],
  text: ['', 'a', 'doh!', 'hi de ho neighbor', 'ü😀 𝄞', 'tab\there'],
  varchar: ['a', 'ab', 'abcd', 'abcd    '],
  bpchar: ['a', 'ab', 'abcd', ''],
  name: ['pg_type', 'AbC', ''],
  '"char"': ['a', '', 'abc', '\\377', '\\000', '\\101', 'é'],
  bytea: ['\\x', '\\x00ff', '\\xDeAdBeEf', 'abc \\153\\154\\155 \\052\\251\\124', '\\\\'],
  uuid: [
    '11111111-1111-1111-1111-111111111111',
    '{22222222-2222-2222-2222-222222222222}',
    '3f3e3c3b3a3039383736353433a2313e',
    'A0EEBC99-9C0B4EF8-BB6D6BB9-BD380A11',
  ],
  json: ['{"a": [1, 2.5, "x"], "b": null}', '[]', '{}', '"str"', '1e1000', '  [1 , 2]  '],
  jsonb: ['{"a": [1, 2.5, "x"], "b": null, "ü": "😀"}', '[]', '{}', '"str"', '1.50', '{"b": 1, "a": 2}'],
  date: [
    '1957-04-09',
    '1996-02-29',
    '2038-04-08',
    '2040-04-10',
    '4714-11-24 BC',
    '5874897-12-31',
    '0044-03-15 BC',
    'epoch',
    'infinity',
    '-infinity',
    'January 8, 1999',
    '1999-01-08',
    'J2451187',
    '1/8/1999',
    '19990108',
  ],
  time: [
    '00:00',
    '01:00',
    '02:03 PST',
    '11:59 EDT',
    '12:00',
    '12:01',
    '23:59',
    '11:59:59.99 PM',
    '2003-03-07 15:36:39 America/New_York',
    '24:00:00',
    '23:59:59.999999',
    '040506',
  ],
  timetz: [
    '00:01 PDT',
    '01:00 PDT',
    '02:03 PDT',
    '07:07 PST',
    '08:08 EDT',
    '11:59:59.99 PM PDT',
    '2003-03-07 15:36:39 America/New_York',
    '24:00:00+05',
    '00:00:00+1559',
    '23:59:59.999999-1559',
  ],
  timestamp: [
    'epoch',
    'infinity',
    '-infinity',
    'Mon Feb 10 17:32:01 1997 PST',
    'Mon Feb 10 17:32:01.000001 1997 PST',
    'Mon Feb 10 17:32:01.999999 1997',
    '1997-02-10 17:32:01-0800',
    '19970210 173201 -0800',
    '2001-09-22T18:19:20',
    'Feb 16 17:32:01 4097 BC',
    '4714-11-24 00:00:00 BC',
    '294276-12-31 23:59:59.999999',
    'J2451187 04:05-08:00',
  ],
  timestamptz: [
    'epoch',
    'infinity',
    '-infinity',
    'Mon Feb 10 17:32:01 1997 PST',
    'Mon Feb 10 17:32:01.4 1997 PST',
    '1997-06-10 17:32:01 -07:00',
    '2000-03-15 08:14:01 GMT+8',
    '2001-09-22T18:19:20',
    'Feb 16 17:32:01 4097 BC',
    '4714-11-24 00:00:00+00 BC',
    '294276-12-31 23:59:59.999999+00',
    '1997.041 17:32:01 UTC',
    '12/27/2016 12:00:00 Europe/Helsinki',
  ],
  interval: [
    '01:00',
    '+02:00',
    '-08:00',
    '-05',
    '-1 +02:03',
    '-1 days +02:03',
    '1.5 weeks',
    '1.5 months',
    '10 years -11 month -12 days +13:14',
    '@ 1 minute',
    '@ 5 hour',
    '@ 10 day',
    '@ 34 year',
    '@ 3 months',
    '@ 14 seconds ago',
    '1 day 2 hours 3 minutes 4 seconds',
    '6 years',
    '5 months 12 hours',
    '2147483647 days 2147483647 months',
    '-2147483648 days -2147483648 months',
    '1 millisecond',
    '500 seconds 99 milliseconds 51 microseconds',
    '1-2',
    '+1-2 -3 +4:05:06.789',
    'P0002-10-15T10:30:20',
    'P1Y2M3DT4H5M6.7S',
    'PT-0.1S',
    '1.1 years',
    '0.5 mon',
    '-9223372036854775808 us',
  ],
  inet: [
    '192.168.1.226/24',
    '192.168.1.226',
    '192.168.1.0/26',
    '10.1.2.3/8',
    '10:23::f1/64',
    '10:23::ffff',
    '::4.3.2.1/24',
    '::ffff:1.2.3.4',
    '1:0:0:2:0:0:0:3',
    '::',
    'ffff::/16',
  ],
  cidr: ['192.168.1.0/24', '192.168.0.0/16', '10/8', '10.1.2/24', '::/24', '10:23::f1/128', '0.0.0.0/0'],
  macaddr: [
    '08:00:2b:01:02:03',
    '08-00-2b-01-02-03',
    '08002b:010203',
    '08002b-010203',
    '0800.2b01.0203',
    '0800-2b01-0203',
    '08002b010203',
  ],
  'int4[]': ['{1,2,NULL}', '{{1,2},{3,4}}', '[0:2]={1,2,3}', '{}', '{{{1}},{{2}}}'],
  'text[]': ['{"a b",NULL,"NULL","x\\"y","\\\\",plain}', '{}', '{{a,b},{c,d}}', '{""}'],
  'float4[]': ['{1.5,NaN,-Infinity,305404.125,-0}'],
  'numeric[]': ['{1.50,NaN,-0.001}'],
  'bool[]': ['{t,f,NULL}'],
  '"char"[]': ['{a,"\\\\377",""}'],
  'bytea[]': ['{"\\\\x00ff",NULL}'],
  'date[]': ['{2024-02-29,infinity,"0044-03-15 BC"}'],
  'interval[]': ['{"1 day","-1 mons +3 days"}'],
  'jsonb[]': ['{"[1, 2]","{\\"a\\": 1}"}'],
  'uuid[]': ['{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'],
}

/** Bit patterns from float4.sql's round-trip tests (Ryu's stress, round-even, output-length cases). */
const FLOAT4_BITS = [
  0x00000001, 0x00000002, 0x00000003, 0x00000010, 0x00000011, 0x00000100, 0x00000101, 0x00004000, 0x00004001,
  0x00080000, 0x00080001, 0x0053c4f4, 0x006c85c4, 0x0041ca76, 0x004b7678, 0x00000007, 0x00424fe2, 0x007ffff0,
  0x007ffff1, 0x007ffffe, 0x007fffff, 0x00800000, 0x00800001, 0x00800004, 0x00800005, 0x00800006, 0x008002f1,
  0x008002f2, 0x008002f3, 0x00800e17, 0x00800e18, 0x00800e19, 0x01000001, 0x01102843, 0x01a52c98, 0x0219c229,
  0x02e4464d, 0x037343c1, 0x03a91b36, 0x047ada65, 0x0496fe87, 0x0550844f, 0x05999da3, 0x060ea5e2, 0x06e63c45,
  0x07f1e548, 0x0fc5282b, 0x1f850283, 0x2874a9d6, 0x3356bf94, 0x3356bf95, 0x3356bf96, 0x33d6bf94, 0x33d6bf95,
  0x33d6bf96, 0x34a10faf, 0x34a10fb0, 0x34a10fb1, 0x350637bc, 0x350637bd, 0x350637be, 0x35719786, 0x35719787,
  0x35719788, 0x358637bc, 0x358637bd, 0x358637be, 0x36a7c5ab, 0x36a7c5ac, 0x36a7c5ad, 0x3727c5ab, 0x3727c5ac,
  0x3727c5ad, 0x38d1b714, 0x38d1b715, 0x38d1b716, 0x38d1b717, 0x38d1b718, 0x38d1b719, 0x38d1b71a, 0x38d1b71b,
  0x38d1b71c, 0x38d1b71d, 0x38dffffe, 0x38dfffff, 0x38e00000, 0x38efffff, 0x38f00000, 0x38f00001, 0x3a83126e,
  0x3a83126f, 0x3a831270, 0x3c23d709, 0x3c23d70a, 0x3c23d70b, 0x3dcccccc, 0x3dcccccd, 0x3dccccce, 0x3dcccd6f,
  0x3dcccd70, 0x3dcccd71, 0x3effffff, 0x3f000000, 0x3f000001, 0x3f333332, 0x3f333333, 0x3f333334, 0x3f666665,
  0x3f666666, 0x3f666667, 0x3f7d70a3, 0x3f7d70a4, 0x3f7d70a5, 0x3f7fbe76, 0x3f7fbe77, 0x3f7fbe78, 0x3f7ff971,
  0x3f7ff972, 0x3f7ff973, 0x3f7fff57, 0x3f7fff58, 0x3f7fff59, 0x3f7fffee, 0x3f7fffef, 0x3f7ffff0, 0x3f7ffff1,
  0x3f7ffff2, 0x3f7ffff3, 0x3f7ffff4, 0x3f7ffff5, 0x3f7ffff6, 0x3f7ffff7, 0x3f7ffff8, 0x3f7ffff9, 0x3f7ffffa,
  0x3f7ffffb, 0x3f7ffffc, 0x3f7ffffd, 0x3f7ffffe, 0x3f7fffff, 0x3f800000, 0x3f800001, 0x3f800002, 0x3f800003,
  0x3f800004, 0x3f800005, 0x3f800006, 0x3f800007, 0x3f800008, 0x3f800009, 0x3f80000f, 0x3f800010, 0x3f800011,
  0x3f800012, 0x3f800013, 0x3f800014, 0x3f800017, 0x3f800018, 0x3f800019, 0x3f80001a, 0x3f80001b, 0x3f80001c,
  0x3f800029, 0x3f80002a, 0x3f80002b, 0x3f800053, 0x3f800054, 0x3f800055, 0x3f800346, 0x3f800347, 0x3f800348,
  0x3f8020c4, 0x3f8020c5, 0x3f8020c6, 0x3f8147ad, 0x3f8147ae, 0x3f8147af, 0x3f8ccccc, 0x3f8ccccd, 0x3f8cccce,
  0x3fc90fdb, 0x402df854, 0x40490fdb, 0x409fffff, 0x40a00000, 0x40a00001, 0x40afffff, 0x40b00000, 0x40b00001,
  0x411fffff, 0x41200000, 0x41200001, 0x42c7ffff, 0x42c80000, 0x42c80001, 0x4479ffff, 0x447a0000, 0x447a0001,
  0x461c3fff, 0x461c4000, 0x461c4001, 0x47c34fff, 0x47c35000, 0x47c35001, 0x497423ff, 0x49742400, 0x49742401,
  0x4b18967f, 0x4b189680, 0x4b189681, 0x4cbebc1f, 0x4cbebc20, 0x4cbebc21, 0x4e6e6b27, 0x4e6e6b28, 0x4e6e6b29,
  0x501502f8, 0x501502f9, 0x501502fa, 0x51ba43b6, 0x51ba43b7, 0x51ba43b8, 0x1f6c1e4a, 0x59be6cea, 0x5d5ab6c4,
  0x2cc4a9bd, 0x15ae43fd, 0x2cf757ca, 0x665ba998, 0x743c3324, 0x47f1205a, 0x4640e6ae, 0x449a5225, 0x42f6e9d5,
  0x414587dd, 0x3f9e064b, 0x4c000004, 0x50061c46, 0x510006a8, 0x48951f84, 0x45fd1840, 0x39800000, 0x3b200000,
  0x3b900000, 0x3bd00000, 0x63800000, 0x4b000000, 0x4b800000, 0x4c000001, 0x4c800b0d, 0x00d24584, 0x800000b0,
  0x00d90b88, 0x45803f34, 0x4f9f24f7, 0x3a8722c3, 0x5c800041, 0x5d4cccfb, 0x4c800001, 0x57800ed8, 0x5f000000,
  0x700000f0, 0x5f23e9ac, 0x5e9502f9, 0x5e8012b1, 0x3c000028, 0x60cde861, 0x03aa2a50, 0x43480000, 0x4c000000,
  0x5d1502f9, 0x5d9502f9, 0x5e1502f9, 0x3f99999a, 0x3f9d70a4, 0x3f9df3b6, 0x3f9e0419, 0x3f9e0610, 0x3f9e0651,
  0x03d20cfe, 0x7f7fffff, 0xff7fffff, 0x80000001,
]

/** Bit patterns (hi, lo) from float8.sql's round-trip tests. */
const FLOAT8_BITS: [number, number][] = [
  [0, 1],
  [0, 3],
  [0x00000100, 0],
  [0x00008000, 1],
  [0x000fffff, 0xfffffffe],
  [0x00100000, 0],
  [0x00100000, 2],
  [0x3ddb7cdf, 0xd9d7bdbb],
  [0x3e112e0b, 0xe826d695],
  [0x3fb99999, 0x9999999a],
  [0x3fefffff, 0xfffffff9],
  [0x3ff00000, 0x00000009],
  [0x3ff921fb, 0x54442d18],
  [0x4005bf0a, 0x8b14576a],
  [0x408f3fff, 0xffffffff],
  [0x4341c379, 0x37e08000],
  [0x43e158e4, 0x60913d00],
  [0x45208b2a, 0x2c280291],
  [0x7fefffff, 0xffffffff],
  [0x43500000, 0x00002e06],
  [0xc3580000, 0x00000003],
  [0x42dc1221, 0x8377de66],
  [0x3e600000, 0],
  [0xc352bd26, 0x68e077c4],
  [0x4830f0cf, 0x064dd592],
  [0x3ff3c0ca, 0x428c59fb],
  [0x40112e0b, 0xe84932ad],
  [0x007fffff, 0xffffffff],
  [0x3a6fa716, 0x1a4d6e0c],
]

/** Float4 bit patterns from a fixed-seed LCG: random ones, and each side of a power of two. */
function sampleFloat4Bits(count: number): number[] {
  let seed = 20240105
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed
  }
  const out: number[] = []
  for (let i = 0; i < count; i++) {
    out.push((next() ^ (next() << 16)) >>> 0)
    const power = ((next() % 254) + 1) << 23
    out.push(power - 1, power, power + 1)
  }
  return out
}

const f32 = (bits: number): number => new Float32Array(new Uint32Array([bits]).buffer)[0]!
const f64 = ([hi, lo]: [number, number]): number => {
  const b = Buffer.alloc(8)
  b.writeUInt32BE(hi, 0)
  b.writeUInt32BE(lo, 4)
  return b.readDoubleBE(0)
}

/** The exact modes, in which a decoded value compares with the server's text. */
const EXACT = { int8: 'string', timestamps: 'string', json: 'string', textResults: [] } as const

function sqlLiteral(s: string): string {
  return `'${s.replaceAll("'", "''")}'`
}

/** What the server's text of a value is, as the exact modes return it. */
function fromText(conn: PgConnection, typeOid: number, type: string, text: string): unknown {
  if (type === 'bool') return text === 't'
  if (['int2', 'int4', 'oid', 'float4', 'float8'].includes(type)) return Number(text)
  if (type === 'bytea') return Buffer.from(text.slice(2), 'hex')
  if (type.endsWith('[]'))
    return conn.codecs.result(typeOid).decode(Buffer.from(text), 0, Buffer.byteLength(text))
  return text
}

/**
 * SQL that is true when a and b are the same value: json has no equality operator (its text is
 * compared, or as jsonb once parsed), and a Date holds milliseconds (compared as such).
 */
function same(type: string, a: string, b: string, native: boolean): string {
  if (type === 'json') return native ? `(${a})::jsonb = (${b})::jsonb` : `(${a})::text = (${b})::text`
  if (native && type.startsWith('timestamp')) {
    const ms = (x: string) => `floor(extract(epoch from ${x}) * 1000)`
    return `${ms(a)} is not distinct from ${ms(b)}`
  }
  return `(${a}) is not distinct from (${b})`
}

/**
 * Values that do not round-trip, by design: a JS array starts at 0 (bounds are dropped), and in
 * the exact (string) mode interval_in refuses the hours of the text it prints for the lowest
 * time part (interval: 'object' sends it in binary).
 */
const NO_ROUND_TRIP = new Set(['int4[] [0:2]={1,2,3}'])
const NO_TEXT_ROUND_TRIP = new Set(['interval -9223372036854775808 us'])

/**
 * Values the native modes do not send back as they came: beyond a Date's range, a JSON number
 * beyond a double's, a parsed JSON string (a string parameter is JSON text as it is, docs).
 */
const notNative = (type: string, v: unknown) =>
  (v instanceof Date && Number.isNaN(v.getTime())) ||
  (type.startsWith('json') && (typeof v === 'string' || (typeof v === 'number' && !Number.isFinite(v))))

/**
 * Values PostgreSQL 14 prints or parses differently (docs/compatibility.md): charout writes a byte
 * above 127 raw, not as \\ooo (PostgreSQL 15 changed "char" I/O), and interval input reads the
 * hours of `-9223372036854775808 us` into a 32-bit field. Left out below 15.
 */
const BEFORE_15_DIFFERENT = new Set(['"char" é', 'interval -9223372036854775808 us'])

const serverVersion = async (server: PgServer): Promise<number> =>
  Number(await server.psql('show server_version_num'))

describe('PostgreSQL regression values', () => {
  let server: PgServer
  let regress: Record<string, string[]> = REGRESS
  let base: PgConnectionSettings
  const conns: Record<'binary' | 'text' | 'native', PgConnection> = {} as never
  before(async () => {
    server = await getPostgres()
    base = { ...parsePgUrl(server.urls.trust), sslmode: 'disable' }
    conns.binary = await PgConnection.connect({ ...base, types: EXACT })
    conns.text = await PgConnection.connect({ ...base, types: { ...EXACT, binary: false } })
    conns.native = await PgConnection.connect({ ...base, types: { interval: 'object', date: 'date' } })
    // timestamptz comes back in UTC (the binary value has no zone): have the server print UTC too.
    for (const conn of Object.values(conns)) await conn.query("set time zone 'UTC'")
    if ((await serverVersion(server)) < 150000) {
      regress = Object.fromEntries(
        Object.entries(REGRESS).map(([type, literals]) => [
          type,
          literals.filter((l) => !BEFORE_15_DIFFERENT.has(`${type} ${l}`)),
        ]),
      )
    }
  })
  after(async () => {
    await Promise.all(Object.values(conns).map((c) => c.close()))
  })

  async function rowsOf(conn: PgConnection, type: string, literals: readonly string[]) {
    const values = literals.map((l) => `(${sqlLiteral(l)}::${type})`).join(', ')
    // format('%s') is the type's output function (inet::text, say, would add a /32).
    return conn.query(`select v, format('%s', v) as t from (values ${values}) as x(v)`)
  }

  for (const mode of ['binary', 'text'] as const) {
    it(`decodes each value (${mode} format) to what the server prints`, async () => {
      const conn = conns[mode]
      let checked = 0
      for (const [type, literals] of Object.entries(regress)) {
        const rows = await rowsOf(conn, type, literals)
        assert.equal(rows.fields[0]!.format, mode === 'binary' ? 1 : 0, type)
        const bare = type.replaceAll('"', '')
        for (const [i, row] of rows.entries()) {
          const want = fromText(conn, rows.fields[0]!.typeOid, bare, row.t as string)
          assert.deepEqual(row.v, want, `${type} ${literals[i]}: server prints ${row.t}`)
          checked++
        }
      }
      // float4 and float8 from bit patterns, sent as float8 (exact for both: float4 ⊂ float8):
      // float4.sql's, and a seeded sample of all float4s with the neighbours of powers of two.
      const float4s = [...FLOAT4_BITS, ...sampleFloat4Bits(3000)].map(f32).filter(Number.isFinite)
      const singles = await conn.query(
        'select x::float4 as v, x::float4::text as t from unnest($1::float8[]) as x',
        [float4s],
      )
      // And each decoded float4 sent back is the same float4.
      const [wrong] = await conn.query(
        'select count(*)::int4 as n from unnest($1::float4[], $2::float8[]) as u(a, b) where a is distinct from b::float4',
        [singles.map((r) => r.v), float4s],
      )
      assert.equal(wrong!.n, 0)
      const doubles = await conn.query('select x as v, x::text as t from unnest($1::float8[]) as x', [
        FLOAT8_BITS.map(f64),
      ])
      for (const row of [...singles, ...doubles]) {
        assert.equal(row.v, Number(row.t), `${row.t}`)
        checked++
      }
      assert.ok(checked > 12_000, `${checked} values`)
    })

    it(`sends each decoded value (${mode} format) back as a parameter unchanged`, async () => {
      for (const conn of [conns[mode], conns.native]) {
        for (const [type, literals] of Object.entries(regress)) {
          const rows = await rowsOf(conn, type, literals)
          const native = conn === conns.native
          for (const [i, row] of rows.entries()) {
            const key = `${type} ${literals[i]}`
            if (NO_ROUND_TRIP.has(key) || (native ? notNative(type, row.v) : NO_TEXT_ROUND_TRIP.has(key))) {
              continue
            }
            const literal = `${sqlLiteral(literals[i]!)}::${type}`
            const [back] = await conn.query(`select ${same(type, `$1::${type}`, literal, native)} as ok`, [
              row.v,
            ])
            assert.equal(back!.ok, true, `${type} ${literals[i]} sent back as ${String(row.v)}`)
          }
        }
      }
    })
  }
})

/** JS values node-postgres users send, of every kind (issue 14: strings, native values, Dates...). */
const VALUES: [string, unknown][] = [
  ['null', null],
  ['true', true],
  ['false', false],
  ['0', 0],
  ['1', 1],
  ['-0', -0],
  ['1.5', 1.5],
  ['0.1', 0.1],
  ['-2^31', -(2 ** 31)],
  ['2^31', 2 ** 31],
  ['1e21', 1e21],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['42n', 42n],
  ['2^63n', 2n ** 63n],
  ["'42'", '42'],
  ["' 7 '", ' 7 '],
  ["'yes'", 'yes'],
  ["'1e400'", '1e400'],
  ["'0.1'", '0.1'],
  ["''", ''],
  ["'abc'", 'abc'],
  ["'2024-01-05'", '2024-01-05'],
  ["'2024-01-05 10:00'", '2024-01-05 10:00'],
  ["'2024-01-05T10:00:00+02'", '2024-01-05T10:00:00+02'],
  ["'Jan 5 2024'", 'Jan 5 2024'],
  ["'epoch'", 'epoch'],
  ["'infinity'", 'infinity'],
  ["'10:00'", '10:00'],
  ["'1 day 02:00'", '1 day 02:00'],
  ["'1-2'", '1-2'],
  ["'{1,2}'", '{1,2}'],
  ["'[1,2]'", '[1,2]'],
  ['\'{"a":1}\'', '{"a":1}'],
  ["'\\x0102'", '\\x0102'],
  ["'a0eebc99-…'", 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  ["'10.0.0.1/8'", '10.0.0.1/8'],
  ['Date', new Date(Date.UTC(2024, 0, 5, 20, 0, 0, 123))],
  ['Date 2000', new Date(Date.UTC(2000, 0, 1))],
  ['Buffer ab', Buffer.from('ab')],
  ['Buffer 16', Buffer.from('a0eebc999c0b4ef8bb6d6bb9bd380a11', 'hex')],
  ['[1, 2]', [1, 2]],
  ["['a', null]", ['a', null]],
  ["['1', ' 2']", ['1', ' 2']],
  [
    '[[1, 2], [3, 4]]',
    [
      [1, 2],
      [3, 4],
    ],
  ],
  ['[true]', [true]],
  ['[]', []],
  ['[Date]', [new Date(Date.UTC(2024, 0, 5))]],
  ['[{a: 1}]', [{ a: 1 }]],
  ['{a: 1}', { a: 1 }],
  ['{}', {}],
]

const TYPES = [
  '',
  'text',
  'varchar',
  'bool',
  'int2',
  'int4',
  'int8',
  'float4',
  'float8',
  'numeric',
  'date',
  'time',
  'timetz',
  'timestamp',
  'timestamptz',
  'interval',
  'json',
  'jsonb',
  'bytea',
  'uuid',
  'inet',
  '"char"',
  'int4[]',
  'text[]',
  'float8[]',
  'bool[]',
  'jsonb[]',
  'date[]',
  'timestamptz[]',
]

/**
 * Where covet and node-postgres answer differently on purpose, each with why. The test checks
 * that each still differs, so the list stays true.
 */
const DIVERGES: Record<string, string> = {}
function diverge(reason: string, types: string[], labels: string[]): void {
  for (const t of types) for (const l of labels) DIVERGES[`${t} ← ${l}`] = reason
}
const NUMBERS = ['true', 'false', '0', '1', '-0', '1.5', '0.1', '-2^31', '2^31', '1e21', 'NaN', 'Infinity']
const ARRAYS = ['[1, 2]', "['a', null]", "['1', ' 2']", '[[1, 2], [3, 4]]', '[true]', '[]', '[Date]']
const OBJECTS = ['Date', 'Date 2000', ...ARRAYS, '{a: 1}', '{}']
diverge('-0 keeps its sign in binary; pg sends String(-0), "0"', ['float4', 'float8'], ['-0'])
diverge('a Date is its UTC day (docs: date); pg sends local time, whose day it takes', ['date'], ['Date'])
diverge(
  "a Date's UTC wall clock by default (timestampWithoutTimeZone: 'local' is pg's)",
  ['timestamp'],
  ['Date', 'Date 2000'],
)
diverge(
  'an array is no date: pg sends array text, which the date parser happens to read',
  ['date', 'timestamp', 'timestamptz'],
  ['[Date]'],
)
diverge(
  '{} is no array: pg sends JSON {}, which array_in reads as empty',
  ['int4[]', 'text[]', 'float8[]', 'bool[]', 'jsonb[]', 'date[]', 'timestamptz[]'],
  ['{}'],
)
diverge(
  "a Buffer is bytes of bytea or text, not another type's binary form (pg sends it raw)",
  ['int2'],
  ['Buffer ab'],
)
diverge(
  "a Buffer is bytes of bytea or text, not another type's binary form (pg sends it raw)",
  ['interval'],
  ['Buffer 16'],
)
diverge(
  'a Buffer for "char" is its text (charin keeps the first byte); pg sends it raw to charrecv, which wants one byte',
  ['"char"'],
  ['Buffer ab'],
)
diverge(
  'bytea takes bytes or bytea text, not other values as their text (pg sends String(value))',
  ['bytea'],
  [...NUMBERS, '42n', '2^63n', ...OBJECTS],
)
diverge(
  'JSON of the value; pg sends array text or local time, not JSON',
  ['json', 'jsonb'],
  ['Date', 'Date 2000', ...ARRAYS, '[{a: 1}]'],
)
diverge(
  'json[] nests at the top level only (docs): [[1, 2]] is two JSON arrays, pg makes a 2-D array',
  ['jsonb[]'],
  ['[[1, 2], [3, 4]]'],
)
diverge('a Date inside json[] is JSON text; pg sends local time, no JSON', ['jsonb[]'], ['[Date]'])

type Outcome = { ok: true; text: string | null } | { ok: false }

describe('parameters against node-postgres', () => {
  let server: PgServer
  let covet: PgConnection
  let client: pg.Client
  let version = 0
  before(async () => {
    server = await getPostgres()
    version = await serverVersion(server)
    covet = await PgConnection.connect({ ...parsePgUrl(server.urls.trust), sslmode: 'disable' })
    client = new pg.Client({ connectionString: server.urls.trust })
    await client.connect()
    for (const sql of ["set time zone 'UTC'"]) {
      await covet.query(sql)
      await client.query(sql)
    }
  })
  after(async () => {
    await covet?.close()
    await client?.end()
  })

  it('gives the same answer for each value as each parameter type', async () => {
    const differ: string[] = []
    for (const type of TYPES) {
      // The type's output function; `$1` alone is text.
      const sql = type === '' ? 'select $1 as t' : `select format('%s', $1::${type}) as t`
      const outcome = async (run: () => Promise<{ t: unknown }[]>): Promise<Outcome> => {
        try {
          const rows = await run()
          return { ok: true, text: rows[0]!.t as string | null }
        } catch {
          return { ok: false }
        }
      }
      const ours = await Promise.all(
        VALUES.map(([, v]) => outcome(async () => (await covet.query(sql, [v])) as { t: unknown }[])),
      )
      for (const [i, [label, v]] of VALUES.entries()) {
        const theirs = await outcome(async () => (await client.query(sql, [v])).rows)
        const key = `${type || '$1'} ← ${label}`
        const agree = JSON.stringify(ours[i]) === JSON.stringify(theirs)
        // PostgreSQL 14 reads interval text's hours as 32 bits: pg's '2147483648' (seconds) fails
        // there, covet's binary microseconds do not.
        const diverges = key in DIVERGES || (version < 150000 && key === 'interval ← 2^31')
        if (agree === diverges)
          differ.push(`${key}: covet ${JSON.stringify(ours[i])}, pg ${JSON.stringify(theirs)}`)
      }
    }
    assert.deepEqual(differ, [])
  })

  it("agrees on Dates for timestamp with timestampWithoutTimeZone: 'local'", async () => {
    const local = await PgConnection.connect({
      ...parsePgUrl(server.urls.trust),
      sslmode: 'disable',
      types: { timestampWithoutTimeZone: 'local' },
    })
    try {
      for (const [label, v] of VALUES.filter(([l]) => l.startsWith('Date'))) {
        const sql = "select format('%s', $1::timestamp) as t"
        const [ours] = await local.query(sql, [v])
        const { rows } = await client.query(sql, [v])
        assert.equal(ours!.t, rows[0].t, label)
      }
    } finally {
      await local.close()
    }
  })
})

describe('domains in a client zone with an offset', () => {
  it("encode a Date for a timestamp domain with timestampWithoutTimeZone: 'local' as the base type does", async () => {
    const server = await getPostgres()
    const settings = { ...parsePgUrl(server.urls.trust), sslmode: 'disable' } as const
    const admin = await PgConnection.connect(settings)
    const local = await PgConnection.connect({ ...settings, types: { timestampWithoutTimeZone: 'local' } })
    const domain = `diff_ts_${process.pid}`
    try {
      await admin.query(`create domain ${domain} as timestamp`)
      const date = new Date(Date.UTC(2024, 0, 5, 20, 0, 0, 123))
      const [row] = await local.query(`select $1::${domain}::text as d, $1::timestamp::text as base`, [date])
      // 20:00 UTC is 01:30 the next day in Asia/Kolkata.
      assert.deepEqual(row, { d: '2024-01-06 01:30:00.123', base: '2024-01-06 01:30:00.123' })
    } finally {
      await local.close()
      await admin.query(`drop domain if exists ${domain}`)
      await admin.close()
    }
  })
})
