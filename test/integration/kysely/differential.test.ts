import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import pg from 'pg'
import { CovetPostgresDialect } from '../../../src/kysely/index.js'
import { getPostgres } from '../../harness/index.js'
import { createSchema, type Database, dropSchema, seed } from './schema.js'

type Case = [name: string, run: (db: Transaction<Database>) => Promise<unknown>]

/** Each case runs in a transaction rolled back afterwards, so both dialects see the same data. */
const CASES: Case[] = [
  ['selectAll', (db) => db.selectFrom('person').selectAll().orderBy('id').execute()],
  [
    'where and order',
    (db) =>
      db
        .selectFrom('person')
        .select(['id', 'last_name'])
        .where('children', '>', 0)
        .orderBy('last_name', 'desc')
        .execute(),
  ],
  [
    'count, sum, avg, max',
    (db) =>
      db
        .selectFrom('person')
        .select((eb) => [
          eb.fn.countAll().as('n'),
          eb.fn.sum('children').as('s'),
          eb.fn.avg('children').as('a'),
          eb.fn.max('first_name').as('m'),
        ])
        .execute(),
  ],
  [
    'group by having',
    (db) =>
      db
        .selectFrom('pet')
        .innerJoin('person', 'person.id', 'pet.owner_id')
        .select(['gender', (eb) => eb.fn.count('pet.id').as('pets')])
        .groupBy('gender')
        .having((eb) => eb.fn.count('pet.id'), '>=', 1)
        .orderBy('gender')
        .execute(),
  ],
  [
    'joins',
    (db) =>
      db
        .selectFrom('person')
        .innerJoin('pet', 'pet.owner_id', 'person.id')
        .leftJoin('toy', 'toy.pet_id', 'pet.id')
        .select(['person.first_name', 'pet.name', 'toy.price'])
        .orderBy('person.id')
        .execute(),
  ],
  [
    'jsonArrayFrom',
    (db) =>
      db
        .selectFrom('person')
        .select((eb) => [
          'id',
          jsonArrayFrom(eb.selectFrom('pet').selectAll('pet').whereRef('pet.owner_id', '=', 'person.id')).as(
            'pets',
          ),
        ])
        .orderBy('id')
        .execute(),
  ],
  [
    'subquery in select',
    (db) =>
      db
        .selectFrom('person')
        .select((eb) => [
          'id',
          eb.selectFrom('pet').select('name').whereRef('owner_id', '=', 'person.id').limit(1).as('pet'),
        ])
        .orderBy('id')
        .execute(),
  ],
  [
    'union and with',
    (db) =>
      db
        .with('males', (q) => q.selectFrom('person').select('first_name').where('gender', '=', 'male'))
        .selectFrom('males')
        .select('first_name')
        .union(db.selectFrom('pet').select('name as first_name'))
        .orderBy('first_name')
        .execute(),
  ],
  [
    'in, like, between, is null',
    (db) =>
      db
        .selectFrom('person')
        .select('id')
        .where((eb) =>
          eb.or([
            eb('first_name', 'in', ['Arnold', 'Nobody']),
            eb('last_name', 'like', 'Sta%'),
            eb.between('children', 4, 9),
            eb('first_name', 'is', null),
          ]),
        )
        .orderBy('id')
        .execute(),
  ],
  [
    'insert returning',
    (db) =>
      db
        .insertInto('person')
        .values([
          { first_name: 'N', gender: 'other' },
          { first_name: 'M', gender: 'other', children: 3 },
        ])
        .returningAll()
        .execute(),
  ],
  [
    'insert result',
    (db) => db.insertInto('toy').values({ name: 'Rope', price: 1.25, pet_id: 2 }).executeTakeFirst(),
  ],
  [
    'upsert',
    (db) =>
      db
        .insertInto('pet')
        .values({ name: 'Doggo', owner_id: 3, species: 'dog' })
        .onConflict((oc) => oc.column('name').doUpdateSet({ owner_id: 3 }))
        .returning(['id', 'owner_id'])
        .execute(),
  ],
  [
    'update result',
    (db) => db.updateTable('person').set({ children: 9 }).where('gender', '=', 'male').executeTakeFirst(),
  ],
  [
    'update returning',
    (db) =>
      db
        .updateTable('toy')
        .set((eb) => ({ price: eb('price', '*', 2) }))
        .returning(['name', 'price'])
        .execute(),
  ],
  ['delete result', (db) => db.deleteFrom('toy').where('price', '<', 100).executeTakeFirst()],
  ['delete returning', (db) => db.deleteFrom('pet').where('species', '=', 'cat').returningAll().execute()],
  [
    'types',
    (db) =>
      db
        .insertInto('kinds')
        .values({
          big: '-9223372036854775808',
          num: '-0.0001',
          flag: false,
          doc: JSON.stringify([{ x: null }, 'é', 1.5]),
          tags: ['a', 'b"c', '{d}'],
          ints: [0, 2147483647],
          bytes: Buffer.from('hi'),
          at: new Date('1999-12-31T23:59:59.999Z'),
          uid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
        })
        .returningAll()
        .execute(),
  ],
  ['nulls', (db) => db.insertInto('kinds').defaultValues().returningAll().execute()],
  [
    'raw sql with parameters',
    (db) =>
      sql`select ${1}::int4 as a, ${'x'}::text as b, ${true}::bool as c, ${null}::int4 as d, ${[1, 2]}::int4[] as e`.execute(
        db,
      ),
  ],
  ['raw DDL and SET', (db) => sql`set local statement_timeout = '5s'`.execute(db)],
  [
    'schema builder in a transaction',
    async (db) => {
      await db.schema.createTable('diff_tmp').addColumn('a', 'integer').execute()
      return (
        await db
          .insertInto('diff_tmp' as never)
          .values({ a: 1 } as never)
          .executeTakeFirst()
      ).numInsertedOrUpdatedRows
    },
  ],
  [
    'loose parameters: a number for text, a string for an integer',
    (db) =>
      db
        .selectFrom('person')
        .select('id')
        .where('first_name', '=', 5 as never)
        .where('id', '>', '0' as never)
        .execute(),
  ],
  [
    'savepoints',
    async (db) => {
      await sql`savepoint a`.execute(db)
      await db.insertInto('person').values({ first_name: 'S', gender: 'other' }).execute()
      await sql`rollback to savepoint a`.execute(db)
      return db
        .selectFrom('person')
        .select((eb) => eb.fn.countAll().as('n'))
        .execute()
    },
  ],
]

/** What Kysely returns, as plain data (its result classes compared by their fields). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)))
}

// Every query through Kysely on pg's PostgresDialect and on covet's: the same results (issue 17).
describe('CovetPostgresDialect against PostgresDialect (pg)', () => {
  let covet: Kysely<Database>
  let viaPg: Kysely<Database>
  before(async () => {
    const url = (await getPostgres()).urls.trust
    covet = new Kysely<Database>({ dialect: new CovetPostgresDialect({ connection: url }) })
    viaPg = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
    })
    await createSchema(covet)
    await seed(covet)
  })
  after(async () => {
    await dropSchema(covet)
    await covet.destroy()
    await viaPg.destroy()
  })

  async function run(db: Kysely<Database>, work: Case[1]): Promise<{ ok: unknown } | { error: string }> {
    const trx = await db.startTransaction().execute()
    // Sequences are not transactional: each run starts them where the seed left them.
    await sql`select setval('person_id_seq', 3), setval('pet_id_seq', 3), setval('toy_id_seq', 2),
      setval('kinds_id_seq', 1, false)`.execute(trx)
    try {
      return { ok: await work(trx) }
    } catch (error) {
      return { error: (error as { code?: string; sqlState?: string }).sqlState ?? String(error) }
    } finally {
      await trx.rollback().execute()
    }
  }

  for (const [name, work] of CASES) {
    it(name, async () => {
      const expected = await run(viaPg, work)
      const actual = await run(covet, work)
      if ('error' in expected) assert.fail(`pg itself failed: ${expected.error}`)
      assert.deepEqual(actual, expected, 'the same values, with the same JS types')
      assert.deepEqual(plain(actual), plain(expected))
    })
  }

  it('a boolean where the server expects text reads as pg sends it', async () => {
    // An uncast parameter in a select list is text to the server: pg sends String(true), and so
    // does covet for a native value whose described type is text (issue 14).
    assert.deepEqual((await sql`select ${true} as c`.execute(viaPg)).rows, [{ c: 'true' }])
    assert.deepEqual((await sql`select ${true} as c`.execute(covet)).rows, [{ c: 'true' }])
  })

  it('the documented differences: date, timestamp without time zone, interval', async () => {
    const q = (db: Kysely<Database>) =>
      sql<{ d: unknown; ts: unknown; i: unknown }>`select '2024-02-29'::date as d,
        '2024-02-29 12:00:00'::timestamp as ts, '1 day 02:03:04'::interval as i`.execute(db)
    const [c, p] = [(await q(covet)).rows[0]!, (await q(viaPg)).rows[0]!]
    // covet: a date has no time zone, so it stays text; pg: local midnight as a Date.
    assert.equal(c.d, '2024-02-29')
    assert.ok(p.d instanceof Date)
    // covet reads a timestamp without time zone as UTC wall-clock time; pg as local time.
    assert.deepEqual(c.ts, new Date('2024-02-29T12:00:00Z'))
    assert.deepEqual(p.ts, new Date(2024, 1, 29, 12, 0, 0))
    // covet: the interval as PostgreSQL prints it; pg: a postgres-interval object.
    assert.equal(c.i, '1 day 02:03:04')
    assert.deepEqual({ ...(p.i as object) }, { days: 1, hours: 2, minutes: 3, seconds: 4 })
  })
})
