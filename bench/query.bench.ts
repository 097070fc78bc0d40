/**
 * QueryBuilder beside Kysely (`compile()`) and Knex (`toSQL().toNative()`) on the same queries
 * (issue 6, Benchmark): the seed's example (select, left join, where, between, order, limit) and a
 * simple `select … where id = ?`. One build = construct the builder, chain the calls, compile.
 * Run: node scripts/bench.mjs query
 */
import knexFactory from 'knex'
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely'
import { QueryBuilder } from '../src/query/builder.js'
import { type Measurement, measure, report } from './support/measure.js'

interface Database {
  users: { id: number; name: string; status: string; age: number; created_at: Date }
  posts: { id: number; user_id: number; title: string }
}

const kysely = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
})
const knex = knexFactory({ client: 'pg' })

function covetExample(): unknown {
  const b = new QueryBuilder('postgresql')
  b.select('u.id', 'u.name', 'p.title')
  b.from('users', 'u')
  b.join('posts', 'u.id = p.user_id', 'left', 'p')
  b.where('u.status', '=', 'active')
  b.whereBetween('u.age', 18, 65)
  b.orderBy('u.created_at', 'desc')
  b.limit(100)
  return b.build()
}

function kyselyExample(): unknown {
  return kysely
    .selectFrom('users as u')
    .leftJoin('posts as p', 'u.id', 'p.user_id')
    .select(['u.id', 'u.name', 'p.title'])
    .where('u.status', '=', 'active')
    .where((eb) => eb.between('u.age', 18, 65))
    .orderBy('u.created_at', 'desc')
    .limit(100)
    .compile()
}

function knexExample(): unknown {
  return knex
    .select('u.id', 'u.name', 'p.title')
    .from({ u: 'users' })
    .leftJoin({ p: 'posts' }, 'u.id', 'p.user_id')
    .where('u.status', '=', 'active')
    .whereBetween('u.age', [18, 65])
    .orderBy('u.created_at', 'desc')
    .limit(100)
    .toSQL()
    .toNative()
}

const covetById = () =>
  new QueryBuilder('postgresql').select('id', 'name').from('users').where('id', '=', 42).build()
const kyselyById = () => kysely.selectFrom('users').select(['id', 'name']).where('id', '=', 42).compile()
const knexById = () => knex.select('id', 'name').from('users').where('id', '=', 42).toSQL().toNative()

/**
 * Rounds of the subjects interleaved (covet, kysely, knex, covet, …) rather than all of one then
 * all of the next: on a shared 2-core machine the load drifts, and interleaving spreads the drift
 * over every subject instead of handing it to one. The median of each subject's rounds is quoted.
 */
/** Builds per measured call: `measure` awaits each call, a cost that would otherwise dwarf a 2 µs build. */
const BATCH = 50

async function compare(title: string, subjects: [string, () => unknown][], rounds = 9): Promise<void> {
  const rates = new Map<string, number[]>(subjects.map(([name]) => [name, []]))
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of subjects) {
      const batch = () => {
        for (let i = 0; i < BATCH; i++) fn()
      }
      const m = await measure(name, batch, { rounds: 1, roundMs: 200, opsPerCall: BATCH })
      rates.get(name)!.push(m.opsPerSec)
    }
  }
  const results: Measurement[] = subjects.map(([name]) => {
    const sorted = [...rates.get(name)!].sort((a, b) => a - b)
    return { name, opsPerSec: sorted[sorted.length >> 1]!, rounds: rates.get(name)! }
  })
  report(title, results, 'kysely', 'builds/s')
}

await compare('seed example (select, left join, where, between, order, limit), PostgreSQL', [
  ['covet QueryBuilder', covetExample],
  ['kysely', kyselyExample],
  ['knex', knexExample],
])
await compare('select … where id = ?, PostgreSQL', [
  ['covet QueryBuilder', covetById],
  ['kysely', kyselyById],
  ['knex', knexById],
])
await knex.destroy()
