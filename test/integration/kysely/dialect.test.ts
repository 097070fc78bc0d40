import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { Kysely, type Migration, Migrator, NoResultError, sql } from 'kysely'
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres'
import { CovetPostgresDialect } from '../../../src/kysely/index.js'
import { getPostgres } from '../../harness/index.js'
import { createSchema, type Database, dropSchema, seed, urlOptions } from './schema.js'

// What Kysely's own PostgreSQL suite exercises, through covet's dialect (issue 17).
describe('CovetPostgresDialect', () => {
  let db: Kysely<Database>
  before(async () => {
    db = new Kysely<Database>({
      dialect: new CovetPostgresDialect({
        connection: { ...urlOptions((await getPostgres()).urls.trust), poolSize: 4 },
      }),
    })
    await createSchema(db)
  })
  beforeEach(() => seed(db))
  after(async () => {
    await dropSchema(db)
    await db.destroy()
  })

  describe('select', () => {
    it('where, order by, limit, offset', async () => {
      const rows = await db
        .selectFrom('person')
        .select(['first_name', 'children'])
        .where('gender', '=', 'male')
        .orderBy('children', 'desc')
        .limit(1)
        .offset(1)
        .execute()
      assert.deepEqual(rows, [{ first_name: 'Sylvester', children: 2 }])
    })

    it('aggregates: count(*) is a string, as with pg; sum of integers too (bigint)', async () => {
      const row = await db
        .selectFrom('person')
        .select((eb) => [
          eb.fn.countAll().as('n'),
          eb.fn.sum('children').as('kids'),
          eb.fn.max('id').as('top'),
        ])
        .executeTakeFirstOrThrow()
      assert.deepEqual(row, { n: '3', kids: '7', top: 3 })
    })

    it('subqueries, exists, in, distinct, group by, having', async () => {
      const owners = await db
        .selectFrom('person')
        .select('first_name')
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('pet')
              .whereRef('pet.owner_id', '=', 'person.id')
              .where('species', 'in', ['dog', 'cat']),
          ),
        )
        .orderBy('first_name')
        .execute()
      assert.deepEqual(owners, [{ first_name: 'Arnold' }, { first_name: 'Jennifer' }])
      const genders = await db
        .selectFrom('person')
        .select(['gender', (eb) => eb.fn.count<string>('id').as('n')])
        .groupBy('gender')
        .having((eb) => eb.fn.count('id'), '>', 1)
        .execute()
      assert.deepEqual(genders, [{ gender: 'male', n: '2' }])
      const distinct = await db.selectFrom('person').select('gender').distinct().orderBy('gender').execute()
      assert.deepEqual(distinct, [{ gender: 'female' }, { gender: 'male' }])
    })

    it('executeTakeFirstOrThrow with no row throws Kysely’s NoResultError', async () => {
      await assert.rejects(
        db.selectFrom('person').selectAll().where('id', '=', 99).executeTakeFirstOrThrow(),
        NoResultError,
      )
      assert.equal(
        await db.selectFrom('person').selectAll().where('id', '=', 99).executeTakeFirst(),
        undefined,
      )
    })
  })

  describe('joins', () => {
    it('inner and left joins; a missing left row is null', async () => {
      const rows = await db
        .selectFrom('person')
        .innerJoin('pet', 'pet.owner_id', 'person.id')
        .leftJoin('toy', 'toy.pet_id', 'pet.id')
        .select(['person.first_name', 'pet.name as pet', 'toy.name as toy'])
        .orderBy('person.id')
        .execute()
      assert.deepEqual(rows, [
        { first_name: 'Jennifer', pet: 'Catto', toy: 'Wool ball' },
        { first_name: 'Arnold', pet: 'Doggo', toy: 'Bone' },
        { first_name: 'Sylvester', pet: 'Hammo', toy: null },
      ])
    })

    it('lateral joins and the JSON helpers (jsonArrayFrom, jsonObjectFrom)', async () => {
      const rows = await db
        .selectFrom('person')
        .select((eb) => [
          'first_name',
          jsonArrayFrom(
            eb
              .selectFrom('pet')
              .select(['pet.name', 'pet.species'])
              .whereRef('pet.owner_id', '=', 'person.id'),
          ).as('pets'),
          jsonObjectFrom(eb.selectFrom('pet').select('pet.id').whereRef('pet.owner_id', '=', 'person.id')).as(
            'first_pet',
          ),
        ])
        .where('id', '<', 3)
        .orderBy('id')
        .execute()
      assert.deepEqual(rows, [
        { first_name: 'Jennifer', pets: [{ name: 'Catto', species: 'cat' }], first_pet: { id: 1 } },
        { first_name: 'Arnold', pets: [{ name: 'Doggo', species: 'dog' }], first_pet: { id: 2 } },
      ])
      const lateral = await db
        .selectFrom('person')
        .innerJoinLateral(
          (eb) => eb.selectFrom('pet').select('name').whereRef('pet.owner_id', '=', 'person.id').as('p'),
          (join) => join.onTrue(),
        )
        .select(['person.last_name', 'p.name'])
        .orderBy('person.id')
        .execute()
      assert.deepEqual(
        lateral.map((r) => r.name),
        ['Catto', 'Doggo', 'Hammo'],
      )
    })
  })

  describe('insert, update, delete', () => {
    it('insert … returning; numInsertedOrUpdatedRows from the row count', async () => {
      const inserted = await db
        .insertInto('person')
        .values([
          { first_name: 'A', gender: 'other' },
          { first_name: 'B', gender: 'other' },
        ])
        .returning(['id', 'first_name'])
        .execute()
      assert.deepEqual(inserted, [
        { id: 4, first_name: 'A' },
        { id: 5, first_name: 'B' },
      ])
      const result = await db
        .insertInto('person')
        .values({ first_name: 'C', gender: 'other' })
        .executeTakeFirst()
      assert.equal(result.numInsertedOrUpdatedRows, 1n)
      assert.equal(result.insertId, undefined, 'PostgreSQL has no insert id; use returning')
    })

    it('upserts: on conflict do nothing / do update', async () => {
      const none = await db
        .insertInto('pet')
        .values({ name: 'Catto', owner_id: 2, species: 'dog' })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst()
      assert.equal(none.numInsertedOrUpdatedRows, 0n)
      const updated = await db
        .insertInto('pet')
        .values({ name: 'Catto', owner_id: 2, species: 'dog' })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet((eb) => ({ owner_id: eb.ref('excluded.owner_id') })),
        )
        .returning(['name', 'owner_id'])
        .executeTakeFirstOrThrow()
      assert.deepEqual(updated, { name: 'Catto', owner_id: 2 })
    })

    it('update and delete report their counts; returning gives the rows', async () => {
      const upd = await db
        .updateTable('person')
        .set({ children: 1 })
        .where('gender', '=', 'male')
        .executeTakeFirst()
      assert.equal(upd.numUpdatedRows, 2n)
      const changed = await db
        .updateTable('person')
        .set((eb) => ({ children: eb('children', '+', 1) }))
        .where('id', '=', 1)
        .returning('children')
        .executeTakeFirstOrThrow()
      assert.deepEqual(changed, { children: 1 })
      const del = await db.deleteFrom('toy').where('price', '>', 5).executeTakeFirst()
      assert.equal(del.numDeletedRows, 1n)
      const gone = await db.deleteFrom('pet').where('species', '=', 'hamster').returning(['name']).execute()
      assert.deepEqual(gone, [{ name: 'Hammo' }])
    })
  })

  describe('values and types', () => {
    it('bigint, numeric, boolean, jsonb, arrays, bytea, timestamptz and uuid round-trip', async () => {
      const at = new Date('2024-02-29T12:34:56.789Z')
      const row = {
        big: '9223372036854775807',
        num: '12345678901234.5678',
        flag: true,
        doc: { a: [1, 'two', null], nested: { ok: true } },
        tags: ['x', 'y, z', ''],
        ints: [1, -2, 3],
        bytes: Buffer.from([0, 1, 254, 255]),
        at,
        uid: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
      }
      await db
        .insertInto('kinds')
        .values({ ...row, doc: JSON.stringify(row.doc) })
        .execute()
      const back = await db.selectFrom('kinds').selectAll().executeTakeFirstOrThrow()
      assert.deepEqual({ ...back, id: undefined }, { ...row, id: undefined })
      const bySql = await sql<{
        first: string
        has: boolean
      }>`select ${sql.ref('tags')}[1] as first, ${2} = any(${sql.ref('ints')}) as has from ${sql.table('kinds')}`.execute(
        db,
      )
      assert.deepEqual(bySql.rows, [{ first: 'x', has: false }])
    })

    it('jsonb operators through Kysely expressions', async () => {
      await db
        .insertInto('kinds')
        .values({ doc: JSON.stringify({ name: 'n1', score: 7 }) })
        .execute()
      const row = await db
        .selectFrom('kinds')
        .select((eb) => [
          sql<string>`${eb.ref('doc')}->>'name'`.as('name'),
          eb
            .ref('doc', '->')
            .key('score' as never)
            .as('score'),
        ])
        .executeTakeFirstOrThrow()
      assert.deepEqual(row, { name: 'n1', score: 7 })
    })
  })

  describe('transactions', () => {
    it('commit, and rollback when the callback throws', async () => {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('person').values({ first_name: 'T', gender: 'other' }).execute()
      })
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('person').values({ first_name: 'U', gender: 'other' }).execute()
          throw new Error('undo')
        }),
        /undo/,
      )
      const names = await db.selectFrom('person').select('first_name').where('gender', '=', 'other').execute()
      assert.deepEqual(names, [{ first_name: 'T' }])
    })

    it('isolation level and access mode reach the server', async () => {
      const level = await db
        .transaction()
        .setIsolationLevel('serializable')
        .setAccessMode('read only')
        .execute((trx) =>
          sql<{
            l: string
            ro: string
          }>`select current_setting('transaction_isolation') as l, current_setting('transaction_read_only') as ro`.execute(
            trx,
          ),
        )
      assert.deepEqual(level.rows, [{ l: 'serializable', ro: 'on' }])
      await assert.rejects(
        db
          .transaction()
          .setAccessMode('read only')
          .execute((trx) => trx.insertInto('person').values({ first_name: 'R', gender: 'other' }).execute()),
        { sqlState: '25006' },
      )
    })

    it('controlled transactions with savepoints', async () => {
      const trx = await db.startTransaction().execute()
      await trx.insertInto('person').values({ first_name: 'Kept', gender: 'other' }).execute()
      const sp = await trx.savepoint('before "odd" name').execute()
      await sp.insertInto('person').values({ first_name: 'Undone', gender: 'other' }).execute()
      const back = await sp.rollbackToSavepoint('before "odd" name').execute()
      const sp2 = await back.savepoint('second').execute()
      await sp2.insertInto('person').values({ first_name: 'Released', gender: 'other' }).execute()
      const released = await sp2.releaseSavepoint('second').execute()
      await released.commit().execute()
      const names = await db
        .selectFrom('person')
        .select('first_name')
        .where('gender', '=', 'other')
        .orderBy('id')
        .execute()
      assert.deepEqual(names, [{ first_name: 'Kept' }, { first_name: 'Released' }])

      const rolled = await db.startTransaction().execute()
      await rolled.insertInto('person').values({ first_name: 'Never', gender: 'other' }).execute()
      await rolled.rollback().execute()
      assert.equal(
        (await db.selectFrom('person').select('id').where('first_name', '=', 'Never').execute()).length,
        0,
      )
    })

    it('a single connection keeps its session state until it is released', async () => {
      const seen = await db.connection().execute(async (conn) => {
        await sql`set search_path = pg_catalog, public`.execute(conn)
        return (await sql<{ p: string }>`select current_setting('search_path') as p`.execute(conn)).rows[0]!.p
      })
      assert.equal(seen, 'pg_catalog, public')
      // Every connection, once released, was reset: the next borrowers see the default again.
      const after = await Promise.all(
        [1, 2, 3, 4].map(() => sql<{ p: string }>`select current_setting('search_path') as p`.execute(db)),
      )
      for (const r of after) assert.equal(r.rows[0]!.p, '"$user", public')
    })
  })

  describe('streams', () => {
    it('stream(chunkSize) yields every row in order', async () => {
      const names: string[] = []
      for await (const row of db.selectFrom('person').select('first_name').orderBy('id').stream(2)) {
        names.push(row.first_name!)
      }
      assert.deepEqual(names, ['Jennifer', 'Arnold', 'Sylvester'])
    })

    it('many rows in small chunks, and leaving early frees the connection', async () => {
      const small = new Kysely<Database>({
        dialect: new CovetPostgresDialect({
          connection: { ...urlOptions((await getPostgres()).urls.trust), poolSize: 1 },
        }),
      })
      let total = 0
      for await (const row of small
        .selectNoFrom(sql<number>`generate_series(1, 20000)`.as('i'))
        .stream(100)) {
        total += row.i
      }
      assert.equal(total, (20000 * 20001) / 2)
      for await (const row of small
        .selectNoFrom(sql<number>`generate_series(1, 1000000)`.as('i'))
        .stream(10)) {
        if (row.i === 3) break
      }
      // One connection in the pool: this runs only if the broken-off stream gave it back.
      const one = await sql<{ n: number }>`select 1 as n`.execute(small)
      assert.deepEqual(one.rows, [{ n: 1 }])
      await small.destroy()
    })

    it('a stream inside a transaction runs on its connection (sees its uncommitted rows)', async () => {
      // Kysely serialises a transaction's statements: the stream holds the connection until it ends.
      const seen = await db.transaction().execute(async (trx) => {
        await trx.insertInto('pet').values({ name: 'Uncommitted', owner_id: 1, species: 'dog' }).execute()
        const out: string[] = []
        for await (const row of trx.selectFrom('pet').select('name').orderBy('id').stream(1))
          out.push(row.name)
        return out
      })
      assert.deepEqual(seen, ['Catto', 'Doggo', 'Hammo', 'Uncommitted'])
    })

    it('chunkSize must be a positive integer', async () => {
      const iterate = async () => {
        for await (const _ of db.selectFrom('person').selectAll().stream(0)) void _
      }
      await assert.rejects(iterate(), { code: 'ERR_INVALID_ARGUMENT' })
    })
  })

  describe('schema builder and introspection', () => {
    it('create, alter, view, enum type, index; introspection sees them', async () => {
      await db.schema.createType('mood').asEnum(['sad', 'ok', 'happy']).execute()
      await db.schema
        .createTable('diary')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('mood', sql`mood`, (c) => c.notNull().defaultTo('ok'))
        .addColumn('note', 'text')
        .execute()
      await db.schema
        .alterTable('diary')
        .addColumn('at', 'timestamptz', (c) => c.defaultTo(sql`now()`))
        .execute()
      await db.schema.alterTable('diary').dropColumn('note').execute()
      await db.schema.createIndex('diary_mood').on('diary').column('mood').execute()
      await db.schema
        .createView('happy_days')
        .as(db.selectFrom('diary' as never).selectAll())
        .execute()
      const tables = await db.introspection.getTables()
      const diary = tables.find((t) => t.name === 'diary')
      assert.ok(diary)
      assert.deepEqual(
        diary.columns.map((c) => [c.name, c.dataType, c.isNullable, c.hasDefaultValue, c.isAutoIncrementing]),
        [
          ['id', 'int8', false, true, true],
          ['mood', 'mood', false, true, false],
          ['at', 'timestamptz', true, true, false],
        ],
      )
      assert.equal(tables.find((t) => t.name === 'happy_days')?.isView, true)
      const schemas = await db.introspection.getSchemas()
      assert.ok(schemas.some((s) => s.name === 'public'))
      await db.schema.dropView('happy_days').execute()
      await db.schema.dropTable('diary').execute()
      await db.schema.dropType('mood').execute()
    })

    it('migrations: the Migrator goes up and down, with its lock table', async () => {
      const migrations: Record<string, Migration> = {
        '2024_01_a': {
          up: (k) => k.schema.createTable('mig_a').addColumn('id', 'integer').execute(),
          down: (k) => k.schema.dropTable('mig_a').execute(),
        },
        '2024_02_b': {
          up: (k) => k.schema.alterTable('mig_a').addColumn('b', 'text').execute(),
          down: (k) => k.schema.alterTable('mig_a').dropColumn('b').execute(),
        },
      }
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
      const up = await migrator.migrateToLatest()
      assert.equal(up.error, undefined)
      assert.deepEqual(
        up.results?.map((r) => [r.migrationName, r.direction, r.status]),
        [
          ['2024_01_a', 'Up', 'Success'],
          ['2024_02_b', 'Up', 'Success'],
        ],
      )
      const down = await migrator.migrateDown()
      assert.deepEqual(
        down.results?.map((r) => [r.migrationName, r.status]),
        [['2024_02_b', 'Success']],
      )
      const listed = await migrator.getMigrations()
      assert.deepEqual(
        listed.map((m) => [m.name, m.executedAt !== undefined]),
        [
          ['2024_01_a', true],
          ['2024_02_b', false],
        ],
      )
      await migrator.migrateTo('2024_01_a').then(() => migrator.migrateDown())
      await db.schema.dropTable('kysely_migration').execute()
      await db.schema.dropTable('kysely_migration_lock').execute()
    })
  })

  describe('errors', () => {
    it('server errors are covet DatabaseErrors with the SQLSTATE and the caller in the stack', async () => {
      const error = await db
        .insertInto('pet')
        .values({ name: 'Catto', owner_id: 1, species: 'cat' })
        .execute()
        .then(
          () => assert.fail('a duplicate name must fail'),
          (e: unknown) => e as { code: string; sqlState: string; constraint?: string; stack: string },
        )
      assert.equal(error.code, '23505')
      assert.equal(error.sqlState, '23505')
      assert.equal(error.constraint, 'pet_name_key')
      assert.match(error.stack, /dialect\.test\.ts/)
      await assert.rejects(sql`select * from no_such_table`.execute(db), { sqlState: '42P01' })
      // The connection that failed is still good.
      assert.equal((await db.selectFrom('person').select('id').execute()).length, 3)
    })

    it('a failed statement inside a transaction rolls the whole transaction back', async () => {
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('person').values({ first_name: 'X', gender: 'other' }).execute()
          await trx.insertInto('pet').values({ name: 'Catto', owner_id: 1, species: 'cat' }).execute()
        }),
        { sqlState: '23505' },
      )
      assert.equal(
        (await db.selectFrom('person').select('id').where('first_name', '=', 'X').execute()).length,
        0,
      )
    })
  })
})
