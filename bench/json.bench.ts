/**
 * covet/json beside its peers on the same documents (issue 8, Benchmark): a ~1 KB API document
 * and a ~9.5 MB array of 9,500 such documents. Each group runs covet and the peers in one process,
 * in turns (see interleaved), and prints ratios to the anchor the issue names.
 * Run: node scripts/bench.mjs json
 */
import { rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { Type } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { JSONParser } from '@streamparser/json'
import { Ajv2020 } from 'ajv/dist/2020.js'
import canonicalize from 'canonicalize'
import fastJsonPatch from 'fast-json-patch'
import fastJson from 'fast-json-stringify'
import { applyPatch as rfc6902Apply } from 'rfc6902'
import { stringify as stableStringify } from 'safe-stable-stringify'
import secureJson from 'secure-json-parse'
import { streamArray } from 'stream-json/streamers/stream-array.js'
import { FastJsonDecoder } from '../src/json/decode.js'
import { FastJsonEncoder } from '../src/json/encode.js'
import { applyPatch, type PatchOperation } from '../src/json/patch.js'
import { JsonSchemaValidator } from '../src/json/schema.js'
import type { JsonSchemaObject } from '../src/json/schema-types.js'
import { decodeStream } from '../src/json/stream.js'
import { buildPackage, reportPeakRss } from './support/child-rss.js'
import { formatRate, type Measurement, measure, report } from './support/measure.js'

function apiDocument(i: number) {
  return {
    id: 100_000 + i,
    uuid: `3f0c${i.toString(16).padStart(4, '0')}-8e2b-4c1d-9a7e-5b6c7d8e9f00`,
    name: `Ada Lovelace ${i}`,
    email: `ada${i}@example.com`,
    active: i % 3 !== 0,
    score: 98.6 + i / 1000,
    createdAt: '2024-03-01T12:34:56.000Z',
    tags: ['admin', 'beta-tester', 'early-adopter', `cohort-${i % 12}`],
    address: {
      street: '12 Analytical Engine Row',
      city: 'London',
      zip: 'NW1 6XE',
      country: 'GB',
      geo: { lat: 51.5237, lng: -0.1585 },
    },
    roles: [
      { id: 1, name: 'owner', permissions: ['read', 'write', 'delete', 'admin'] },
      { id: 2, name: 'editor', permissions: ['read', 'write'] },
    ],
    settings: { theme: 'dark', language: 'en-GB', notifications: { email: true, sms: false, push: true } },
    stats: { posts: 120 + i, followers: 3400, following: 180, likes: 90_210 },
    bio: 'Mathematician and writer, chiefly known for her work on the proposed mechanical general-purpose computer, the Analytical Engine. She was the first to recognise that the machine had applications beyond pure calculation, and published the first algorithm intended for it.',
  }
}

const str = { type: 'string' } as const
const int = { type: 'integer' } as const
const strings = { type: 'array', items: str } as const
const documentSchema: JsonSchemaObject = {
  type: 'object',
  required: ['id', 'uuid', 'name', 'email', 'active', 'score', 'createdAt', 'tags'],
  properties: {
    id: int,
    uuid: str,
    name: str,
    email: str,
    active: { type: 'boolean' },
    score: { type: 'number' },
    createdAt: str,
    tags: strings,
    address: {
      type: 'object',
      properties: {
        street: str,
        city: str,
        zip: str,
        country: str,
        geo: { type: 'object', properties: { lat: { type: 'number' }, lng: { type: 'number' } } },
      },
    },
    roles: {
      type: 'array',
      items: { type: 'object', properties: { id: int, name: str, permissions: strings } },
    },
    settings: {
      type: 'object',
      properties: {
        theme: str,
        language: str,
        notifications: {
          type: 'object',
          properties: { email: { type: 'boolean' }, sms: { type: 'boolean' }, push: { type: 'boolean' } },
        },
      },
    },
    stats: { type: 'object', properties: { posts: int, followers: int, following: int, likes: int } },
    bio: str,
  },
}
const arraySchema: JsonSchemaObject = { type: 'array', items: documentSchema }

const doc = apiDocument(1)
const docText = JSON.stringify(doc)
const bigArray = Array.from({ length: 9_500 }, (_, i) => apiDocument(i))
const bigText = JSON.stringify(bigArray)
const bigBytes = Buffer.from(bigText)
const MB = bigBytes.length / 1e6

console.log(`document ${docText.length} bytes; array ${bigArray.length} documents, ${MB.toFixed(2)} MB`)
console.log('Noisy machine: 2 cores shared with other work; compare ratios within a group, not across runs.')

/**
 * Runs the subjects in turns — one round each, `turns` times, the first subject rotating — and keeps
 * each one's median, so a change of machine load during the group (other work shares the 2 cores)
 * hits every subject alike.
 * `opsPerCall` > 1 makes each call run the operation that many times (for sub-microsecond
 * operations, where measure's await per call would otherwise be most of what is timed).
 */
async function interleaved(
  subjects: [string, () => unknown | Promise<unknown>][],
  turns = 7,
  roundMs = 300,
  opsPerCall = 1,
): Promise<Measurement[]> {
  const batched = subjects.map(([name, fn]): [string, () => unknown] =>
    opsPerCall === 1
      ? [name, fn]
      : [
          name,
          () => {
            for (let i = 0; i < opsPerCall; i++) fn()
          },
        ],
  )
  for (const [name, fn] of batched) await measure(name, fn, { rounds: 1, roundMs: 100 }) // warm-up
  const rates = new Map<string, number[]>(subjects.map(([name]) => [name, []]))
  for (let turn = 0; turn < turns; turn++) {
    // The starting subject rotates each turn, so no subject always runs right after the same one.
    const order = [...batched.slice(turn % batched.length), ...batched.slice(0, turn % batched.length)]
    for (const [name, fn] of order) {
      const { opsPerSec } = await measure(name, fn, { rounds: 1, roundMs, opsPerCall })
      rates.get(name)!.push(opsPerSec)
    }
  }
  return subjects.map(([name]) => {
    const sorted = [...rates.get(name)!].sort((a, b) => a - b)
    return { name, opsPerSec: sorted[sorted.length >> 1]!, rounds: rates.get(name)! }
  })
}

function mbps(results: Measurement[]): Measurement[] {
  return results.map((r) => ({ ...r, opsPerSec: r.opsPerSec * MB }))
}

// --- Encode -------------------------------------------------------------------------------------
const fjsDoc = fastJson(documentSchema as never)
const fjsArray = fastJson(arraySchema as never)
const covetDoc = FastJsonEncoder.compile(documentSchema)
const covetArray = FastJsonEncoder.compile(arraySchema)
const plain = new FastJsonEncoder()
if (covetDoc.encode(doc) !== docText || covetArray.encode(bigArray) !== bigText)
  throw new Error('compiled output differs')

report(
  'encode 1 KB document',
  await interleaved([
    ['JSON.stringify', () => JSON.stringify(doc)],
    ['fast-json-stringify (schema)', () => fjsDoc(doc)],
    ['covet FastJsonEncoder.encode', () => plain.encode(doc)],
    ['covet compile(schema).encode', () => covetDoc.encode(doc)],
  ]),
  'fast-json-stringify (schema)',
)
report(
  'encode 9.5 MB array',
  mbps(
    await interleaved(
      [
        ['JSON.stringify', () => JSON.stringify(bigArray)],
        ['fast-json-stringify (schema)', () => fjsArray(bigArray)],
        ['covet compile(schema).encode', () => covetArray.encode(bigArray)],
      ],
      5,
      400,
    ),
  ),
  'JSON.stringify',
  'MB/s',
)

// --- Sorted keys and RFC 8785 -------------------------------------------------------------------
const sorted = new FastJsonEncoder({ sortKeys: true })
const canonical = new FastJsonEncoder({ canonical: true })
if (sorted.encode(doc) !== stableStringify(doc) || canonical.encode(doc) !== canonicalize(doc)) {
  throw new Error('sorted output differs from the peers')
}
report(
  'sorted keys 1 KB document',
  await interleaved([
    ['safe-stable-stringify', () => stableStringify(doc)],
    ['canonicalize (RFC 8785)', () => canonicalize(doc)],
    ['covet sortKeys', () => sorted.encode(doc)],
    ['covet canonical (RFC 8785)', () => canonical.encode(doc)],
  ]),
  'safe-stable-stringify',
)

// --- Decode -------------------------------------------------------------------------------------
const safeDecoder = new FastJsonDecoder()
const strictDecoder = new FastJsonDecoder({ strict: true })
report(
  'decode 1 KB document',
  await interleaved([
    ['JSON.parse', () => JSON.parse(docText)],
    ['secure-json-parse', () => secureJson.parse(docText)],
    ['covet decode (safe defaults)', () => safeDecoder.decode(docText)],
    ['covet decode strict', () => strictDecoder.decode(docText)],
  ]),
  'secure-json-parse',
)
report(
  'decode 9.5 MB array',
  mbps(
    await interleaved(
      [
        ['JSON.parse', () => JSON.parse(bigText)],
        ['secure-json-parse', () => secureJson.parse(bigText)],
        ['covet decode (safe defaults)', () => safeDecoder.decode(bigText)],
      ],
      5,
      400,
    ),
  ),
  'secure-json-parse',
  'MB/s',
)

// --- Validate -----------------------------------------------------------------------------------
const ajvValidate = new Ajv2020().compile(documentSchema)
const typeboxSchema = Type.Object({
  id: Type.Integer(),
  uuid: Type.String(),
  name: Type.String(),
  email: Type.String(),
  active: Type.Boolean(),
  score: Type.Number(),
  createdAt: Type.String(),
  tags: Type.Array(Type.String()),
  address: Type.Optional(
    Type.Object({
      street: Type.String(),
      city: Type.String(),
      zip: Type.String(),
      country: Type.String(),
      geo: Type.Object({ lat: Type.Number(), lng: Type.Number() }),
    }),
  ),
  roles: Type.Optional(
    Type.Array(
      Type.Object({ id: Type.Integer(), name: Type.String(), permissions: Type.Array(Type.String()) }),
    ),
  ),
  settings: Type.Optional(
    Type.Object({
      theme: Type.String(),
      language: Type.String(),
      notifications: Type.Object({ email: Type.Boolean(), sms: Type.Boolean(), push: Type.Boolean() }),
    }),
  ),
  stats: Type.Optional(
    Type.Object({
      posts: Type.Integer(),
      followers: Type.Integer(),
      following: Type.Integer(),
      likes: Type.Integer(),
    }),
  ),
  bio: Type.Optional(Type.String()),
})
const typebox = TypeCompiler.Compile(typeboxSchema)
const validator = new JsonSchemaValidator(documentSchema)
if (!ajvValidate(doc) || !typebox.Check(doc) || !validator.validate(doc))
  throw new Error('validators disagree')
report(
  'validate 1 KB document (parsed value)',
  await interleaved(
    [
      ['ajv 2020 compiled', () => ajvValidate(doc)],
      ['@sinclair/typebox compiled', () => typebox.Check(doc)],
      ['covet JsonSchemaValidator.validate', () => validator.validate(doc)],
    ],
    7,
    300,
    100,
  ),
  'ajv 2020 compiled',
)

// --- JSON Patch ---------------------------------------------------------------------------------
const ops: PatchOperation[] = [
  { op: 'test', path: '/id', value: doc.id },
  { op: 'replace', path: '/name', value: 'Ada King' },
  { op: 'add', path: '/tags/-', value: 'verified' },
  { op: 'remove', path: '/tags/0' },
  { op: 'replace', path: '/address/geo/lat', value: 51.5 },
  { op: 'add', path: '/settings/timezone', value: 'Europe/London' },
  { op: 'copy', from: '/email', path: '/contactEmail' },
  { op: 'move', from: '/bio', path: '/about' },
  { op: 'replace', path: '/roles/1/name', value: 'reviewer' },
  { op: 'add', path: '/stats/views', value: 1 },
]
const expected = fastJsonPatch.applyPatch(fastJsonPatch.deepClone(doc), ops as never).newDocument
if (JSON.stringify(applyPatch(doc, ops)) !== JSON.stringify(expected)) throw new Error('patch results differ')
report(
  'JSON Patch, 10 operations on the 1 KB document (input left intact)',
  await interleaved([
    [
      'fast-json-patch (deepClone + apply)',
      () => fastJsonPatch.applyPatch(fastJsonPatch.deepClone(doc), ops as never),
    ],
    ['rfc6902 (structuredClone + apply)', () => rfc6902Apply(structuredClone(doc), ops as never)],
    ['covet applyPatch (structural sharing)', () => applyPatch(doc, ops)],
  ]),
  'fast-json-patch (deepClone + apply)',
)

// --- Streaming decode ---------------------------------------------------------------------------
const CHUNK = 64 * 1024
function chunks(): Readable {
  const parts: Buffer[] = []
  for (let i = 0; i < bigBytes.length; i += CHUNK) parts.push(bigBytes.subarray(i, i + CHUNK))
  return Readable.from(parts)
}

type OnItem = (n: number) => void
const noop: OnItem = () => {}

async function covetStream(onItem = noop): Promise<number> {
  let n = 0
  for await (const _ of decodeStream(chunks(), { format: 'array' })) onItem(++n)
  return n
}
function streamJson(onItem = noop): Promise<number> {
  return new Promise((resolve, reject) => {
    let n = 0
    const pipeline = chunks().pipe(streamArray.withParserAsStream())
    pipeline.on('data', () => onItem(++n))
    pipeline.on('end', () => resolve(n))
    pipeline.on('error', reject)
  })
}
async function streamparser(onItem = noop): Promise<number> {
  let n = 0
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false })
  parser.onValue = () => onItem(++n)
  for await (const chunk of chunks()) parser.write(chunk)
  return n
}
async function wholeParse(onItem = noop): Promise<number> {
  const parts: Buffer[] = []
  for await (const chunk of chunks()) parts.push(chunk as Buffer)
  const list = JSON.parse(Buffer.concat(parts).toString()) as unknown[]
  onItem(0)
  return list.length
}

/**
 * Peak growth of heap + external memory (JS objects and Buffers) over one run, after a GC, sampled
 * every 250 items (each run keeps nothing it yields), beside JSON.parse of the whole text.
 */
async function peakMemory(run: (onItem: OnItem) => Promise<number>): Promise<number> {
  ;(globalThis as { gc?: () => void }).gc?.()
  const used = () => {
    const m = process.memoryUsage()
    return m.heapUsed + m.external
  }
  const base = used()
  let peak = base
  const count = await run((n) => {
    if (n % 250 === 0) peak = Math.max(peak, used())
  })
  peak = Math.max(peak, used())
  if (count !== bigArray.length) throw new Error(`streamed ${count} items`)
  return (peak - base) / 1e6
}

const streamResults = mbps(
  await interleaved(
    [
      ['stream-json (parser + streamArray)', streamJson],
      ['@streamparser/json', streamparser],
      ['covet decodeStream (array)', covetStream],
    ],
    3,
    1500,
  ),
)
report(
  'streaming decode, 9.5 MB top-level array in 64 KB chunks',
  streamResults,
  'stream-json (parser + streamArray)',
  'MB/s',
)
for (const [name, run] of [
  ['stream-json', streamJson],
  ['@streamparser/json', streamparser],
  ['covet decodeStream', covetStream],
  ['JSON.parse of the whole text', wholeParse],
] as const) {
  console.log(`${name.padEnd(40)} peak heap+external growth ${formatRate(await peakMemory(run))} MB`)
}

// Peak RSS of a whole process streaming the same array from a file (issue 8 asks for peak RSS):
// one plain child per library and run, covet from its built package.
const streamFile = join(tmpdir(), `covet-bench-stream-${process.pid}.json`)
writeFileSync(streamFile, bigBytes)
buildPackage()
reportPeakRss(
  'peak RSS of a process decoding the 9.5 MB array from a file in 64 KB chunks',
  fileURLToPath(new URL('./support/stream-decode-rss.mjs', import.meta.url)),
  ['stream-json', '@streamparser/json', 'covet', 'JSON.parse'],
  'stream-json',
  { STREAM_FILE: streamFile, STREAM_ITEMS: String(bigArray.length) },
)
rmSync(streamFile)
