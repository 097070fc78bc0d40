import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Generated, Kysely, MysqlDialect, sql } from 'kysely'
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/mysql'
import { createPool } from 'mysql2'
import { CovetMysqlDialect } from '../../../src/kysely/index.js'
import { getMariaDb } from '../../harness/index.js'
import { createMysqlSchema, type Database, dropMysqlSchema, mysqlOptions, seedMysql } from './mysql-schema.js'

interface Kinds {
  id: Generated<number>
  big: number | null
  ubig: number | null
  num: string | null
  flag: number | null
  doc: unknown
  bytes: Buffer | null
  at: Date | null
  tm: string | null
  f: number | null
  e: 'a' | 'b' | null
  yr: number | null
}

type Db = Database & { my_kinds: Kinds }
type Case = [name: string, run: (db: Kysely<Db>) => Promise<unknown>]

/** Each case runs on freshly seeded tables (TRUNCATE restarts AUTO_INCREMENT), so both dialects see the same data. */
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
    'jsonArrayFrom and jsonObjectFrom (kysely/helpers/mysql)',
    (db) =>
      db
        .selectFrom('person')
        .select((eb) => [
          'id',
          jsonArrayFrom(
            eb.selectFrom('pet').select(['pet.id', 'pet.name']).whereRef('pet.owner_id', '=', 'person.id'),
          ).as('pets'),
          jsonObjectFrom(eb.selectFrom('toy').select('toy.name').whereRef('toy.pet_id', '=', 'person.id')).as(
            'toy',
          ),
        ])
        .orderBy('id')
        .execute(),
  ],
  [
    'subquery in select, in, between, like',
    (db) =>
      db
        .selectFrom('person')
        .select((eb) => [
          'first_name',
          eb.selectFrom('pet').select('name').whereRef('pet.owner_id', '=', 'person.id').as('pet'),
        ])
        .where('id', 'in', [1, 3])
        .where((eb) => eb.between('children', 0, 9))
        .where('last_name', 'like', '%on%')
        .orderBy('id')
        .execute(),
  ],
  [
    'insert result',
    (db) => db.insertInto('person').values({ first_name: 'N', gender: 'other' }).executeTakeFirst(),
  ],
  [
    'multi-row insert result',
    (db) =>
      db
        .insertInto('toy')
        .values([
          { name: 'a', price: 1, pet_id: 1 },
          { name: 'b', price: 2, pet_id: 3 },
        ])
        .execute(),
  ],
  [
    'update result',
    (db) => db.updateTable('person').set({ children: 2 }).where('gender', '=', 'male').execute(),
  ],
  ['update nothing', (db) => db.updateTable('person').set({ children: 2 }).where('id', '=', 99).execute()],
  ['delete result', (db) => db.deleteFrom('toy').where('price', '<', 100).executeTakeFirst()],
  [
    'upsert that updates',
    (db) =>
      db
        .insertInto('pet')
        .values({ name: 'Catto', owner_id: 1, species: 'dog' })
        .onDuplicateKeyUpdate({ species: 'dog' })
        .executeTakeFirst(),
  ],
  [
    'insert ignore',
    (db) =>
      db.insertInto('pet').ignore().values({ name: 'Catto', owner_id: 2, species: 'dog' }).executeTakeFirst(),
  ],
  [
    'replace',
    (db) => db.replaceInto('toy').values({ id: 1, name: 'Yarn', price: 3, pet_id: 1 }).executeTakeFirst(),
  ],
  [
    'types',
    async (db) => {
      await db
        .insertInto('my_kinds')
        .values({
          big: -9007199254740991,
          ubig: 42,
          num: '-0.0001',
          flag: 1,
          doc: JSON.stringify([{ x: null }, 'é', 1.5]),
          bytes: Buffer.from('hi'),
          at: new Date('1999-12-31T23:59:59.999Z'),
          tm: '-12:34:56',
          f: 1.5,
          e: 'b',
          yr: 2024,
        })
        .execute()
      return db.selectFrom('my_kinds').selectAll().execute()
    },
  ],
  [
    'nulls',
    async (db) => {
      await db.insertInto('my_kinds').values({ e: null }).execute()
      return db.selectFrom('my_kinds').selectAll().execute()
    },
  ],
  [
    'raw sql with parameters',
    (db) => sql`select ${1} as a, ${'x'} as b, ${null} as d, concat(${'é'}, ${'?'}) as f`.execute(db),
  ],
  ['raw SET on one connection', (db) => db.connection().execute((c) => sql`set @v = 1`.execute(c))],
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
    'a transaction with savepoints',
    (db) =>
      db.transaction().execute(async (trx) => {
        await sql`savepoint a`.execute(trx)
        await trx.insertInto('person').values({ first_name: 'S', gender: 'other' }).execute()
        await sql`rollback to savepoint a`.execute(trx)
        return trx
          .selectFrom('person')
          .select((eb) => eb.fn.countAll().as('n'))
          .execute()
      }),
  ],
  [
    'a stream',
    async (db) => {
      const out: unknown[] = []
      for await (const row of db.selectFrom('person').select(['id', 'first_name']).orderBy('id').stream())
        out.push(row)
      return out
    },
  ],
  [
    'a duplicate key error',
    (db) => db.insertInto('pet').values({ name: 'Catto', owner_id: 1, species: 'cat' }).execute(),
  ],
  ['a syntax error', (db) => sql`selec 1`.execute(db)],
  ['introspection: getTables', (db) => db.introspection.getTables()],
  // Kysely's introspector reads SCHEMA_NAME; MariaDB names the column as the query wrote it.
  ['introspection: getSchemas', (db) => db.introspection.getSchemas()],
]

/** What Kysely returns, as plain data (its result classes compared by their fields). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)))
}

// Every query through Kysely on mysql2's MysqlDialect and on covet's: the same results (issue 17).
describe('CovetMysqlDialect against MysqlDialect (mysql2)', () => {
  let covet: Kysely<Db>
  let viaMysql2: Kysely<Db>
  before(async () => {
    const url = (await getMariaDb()).url
    covet = new Kysely<Db>({ dialect: new CovetMysqlDialect({ connection: url }) })
    viaMysql2 = new Kysely<Db>({
      dialect: new MysqlDialect({ pool: createPool({ ...mysqlOptions(url), connectionLimit: 2 }) }),
    })
    await createMysqlSchema(covet as never)
    await covet.schema.dropTable('my_kinds').ifExists().execute()
    await sql`create table my_kinds (id int auto_increment primary key, big bigint, ubig bigint unsigned,
      num decimal(20, 4), flag tinyint(1), doc json, bytes varbinary(10), at datetime(3), tm time,
      f float, e enum('a', 'b'), yr year)`.execute(covet)
  })
  after(async () => {
    await covet.schema.dropTable('my_kinds').ifExists().execute()
    await dropMysqlSchema(covet as never)
    await covet.destroy()
    await viaMysql2.destroy()
  })

  async function run(db: Kysely<Db>, work: Case[1]): Promise<{ ok: unknown } | { error: unknown }> {
    await seedMysql(db as never)
    await sql`truncate table my_kinds`.execute(db)
    try {
      return { ok: await work(db) }
    } catch (error) {
      const { code, errno, sqlState } = error as { code?: string; errno?: number; sqlState?: string }
      return { error: { code, errno, sqlState } }
    }
  }

  for (const [name, work] of CASES) {
    it(name, async () => {
      const expected = await run(viaMysql2, work)
      const actual = await run(covet, work)
      assert.deepEqual(actual, expected, 'the same values, with the same JS types')
      assert.deepEqual(plain(actual), plain(expected))
    })
  }

  it('the documented differences: parameter types, DATE, DATETIME, an unchanged upsert, BIGINT past 2^53', async () => {
    // mysql2 writes values into the SQL text: 2.5 is a DECIMAL literal (a string back); covet
    // binds a DOUBLE.
    assert.deepEqual((await sql`select ${2.5} as e`.execute(viaMysql2)).rows, [{ e: '2.5' }])
    assert.deepEqual((await sql`select ${2.5} as e`.execute(covet)).rows, [{ e: 2.5 }])
    const q = (db: Kysely<Db>) =>
      sql<{ d: unknown; dt: unknown }>`select cast('2024-02-29' as date) as d,
        cast('2024-02-29 12:00:00' as datetime) as dt`.execute(db)
    const [c, m] = [(await q(covet)).rows[0]!, (await q(viaMysql2)).rows[0]!]
    // covet: a DATE has no time zone, so it stays text; mysql2: local midnight as a Date.
    assert.equal(c.d, '2024-02-29')
    assert.deepEqual(m.d, new Date(2024, 1, 29))
    // covet reads DATETIME in the session time zone it set (UTC by default); mysql2 as local time.
    assert.deepEqual(c.dt, new Date('2024-02-29T12:00:00Z'))
    assert.deepEqual(m.dt, new Date(2024, 1, 29, 12, 0, 0))
    // An upsert that changes nothing: mysql2 asks for CLIENT_FOUND_ROWS (1 row), covet does not (0).
    const upsert = async (db: Kysely<Db>) => {
      await seedMysql(db as never)
      const r = await db
        .insertInto('pet')
        .values({ name: 'Catto', owner_id: 1, species: 'cat' })
        .onDuplicateKeyUpdate({ species: 'cat' })
        .executeTakeFirstOrThrow()
      return r.numInsertedOrUpdatedRows
    }
    assert.equal(await upsert(viaMysql2), 1n)
    assert.equal(await upsert(covet), 0n)
    // BIGINT past 2^53: mysql2 rounds it; covet's number mode refuses to.
    const big = sql<{ b: number }>`select cast(9007199254740993 as signed) as b`
    assert.deepEqual((await big.execute(viaMysql2)).rows, [{ b: 9007199254740992 }])
    await assert.rejects(big.execute(covet), { code: 'ERR_TYPE_DECODE' })
  })
})
