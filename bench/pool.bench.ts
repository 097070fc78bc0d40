/**
 * ConnectionPool beside `tarn` 3.x and `generic-pool` 3.x on the same stub resources (issue 3,
 * Benchmarks): uncontended acquire+release pairs (one borrower, 8 idle resources) and contended
 * pairs (64 borrowers sharing 8 resources). Resources are plain objects, so this measures the
 * pools' own bookkeeping. Run: node scripts/bench.mjs pool
 */
import genericPool from 'generic-pool'
import { Pool as TarnPool } from 'tarn'
import { ConnectionPool } from '../src/pool/pool.js'
import { type Measurement, measure, report } from './support/measure.js'

interface Resource {
  id: number
}

const SIZE = 8
const BORROWERS = 64
const PAIRS_PER_BORROWER = 20
const SEQUENTIAL_PAIRS = 200
let nextId = 0
const createResource = async (): Promise<Resource> => ({ id: nextId++ })

/** The three pools behind one acquire/release shape. */
interface Subject {
  name: string
  acquire(): Promise<Resource>
  release(resource: Resource): unknown
  close(): Promise<void>
}

async function makeSubjects(): Promise<Subject[]> {
  const covet = new ConnectionPool<Resource>(
    { create: createResource, destroy: () => {} },
    { min: SIZE, max: SIZE, maxWaiting: 10_000 },
  )
  const tarn = new TarnPool<Resource>({ create: createResource, destroy: () => {}, min: SIZE, max: SIZE })
  const generic = genericPool.createPool<Resource>(
    { create: createResource, destroy: async () => {} },
    { min: SIZE, max: SIZE },
  )
  // Warm every pool up to SIZE resources before timing.
  const warm = async (s: Subject) => {
    const held = await Promise.all(Array.from({ length: SIZE }, () => s.acquire()))
    for (const r of held) await s.release(r)
  }
  const subjects: Subject[] = [
    {
      name: 'covet ConnectionPool',
      acquire: () => covet.acquire(),
      release: (r) => covet.release(r),
      close: () => covet.close(),
    },
    {
      name: 'tarn',
      acquire: () => tarn.acquire().promise,
      release: (r) => tarn.release(r),
      close: () => tarn.destroy().then(() => {}),
    },
    {
      name: 'generic-pool',
      acquire: () => generic.acquire(),
      release: (r) => generic.release(r),
      close: () => generic.drain().then(() => generic.clear()),
    },
  ]
  for (const s of subjects) await warm(s)
  return subjects
}

const subjects = await makeSubjects()

const sequential: Measurement[] = []
for (const s of subjects) {
  sequential.push(
    await measure(
      s.name,
      async () => {
        for (let i = 0; i < SEQUENTIAL_PAIRS; i++) s.release(await s.acquire())
      },
      { opsPerCall: SEQUENTIAL_PAIRS },
    ),
  )
}

const contended: Measurement[] = []
for (const s of subjects) {
  const borrower = async () => {
    for (let i = 0; i < PAIRS_PER_BORROWER; i++) {
      const r = await s.acquire()
      await null // the borrower's work: one turn of the microtask queue
      s.release(r)
    }
  }
  contended.push(
    await measure(s.name, () => Promise.all(Array.from({ length: BORROWERS }, borrower)), {
      opsPerCall: BORROWERS * PAIRS_PER_BORROWER,
    }),
  )
}

const fastestPeer = (results: Measurement[]) =>
  results.filter((r) => r.name !== 'covet ConnectionPool').sort((a, b) => b.opsPerSec - a.opsPerSec)[0]!.name
report(
  'uncontended acquire+release (1 borrower, 8 resources)',
  sequential,
  fastestPeer(sequential),
  'pairs/s',
)
report(
  `contended acquire+release (${BORROWERS} borrowers, ${SIZE} resources)`,
  contended,
  fastestPeer(contended),
  'pairs/s',
)
for (const s of subjects) await s.close()
