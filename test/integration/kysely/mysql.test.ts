import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import {
  CompiledQuery,
  DeleteResult,
  InsertResult,
  Kysely,
  type Migration,
  Migrator,
  NoResultError,
  sql,
  UpdateResult,
} from 'kysely'
import { CovetMysqlDialect } from '../../../src/kysely/index.js'
import { getMariaDb } from '../../harness/index.js'
import { createMysqlSchema, type Database, dropMysqlSchema, mysqlOptions, seedMysql } from './mysql-schema.js'

// Kysely on covet's MySqlDriver (issue 17) against the harness MariaDB: what Kysely's own MySQL
// suite exercises, and the contract of its MysqlDialect on mysql2 (results, counts, transactions).
describe('CovetMysqlDialect', () => {
  let db: Kysely<Database>
  let dialect: CovetMysqlDialect
  before(async () => {
    const server = await getMariaDb()
    dialect = new CovetMysqlDialect({ connection: { ...mysqlOptions(server.url), poolSize: 3 } })
    db = new Kysely<Database>({ dialect })
    await createMysqlSchema(db)
  })
  beforeEach(() => seedMysql(db))
  after(async () => {
    await dropMysqlSchema(db)
    await db.destroy()
  })

  describe('select', () => {
    it('typed rows: where, order by, limit, offset, joins, exists', async () => {
      const rows = await db
        .selectFrom('person')
        .select(['first_name', 'children'])
        .where('gender', '=', 'male')
        .orderBy('children', 'desc')
        .limit(1)
        .offset(1)
        .execute()
      assert.deepEqual(rows, [{ first_name: 'Sylvester', children: 2 }])
      const joined = await db
        .selectFrom('person')
        .innerJoin('pet', 'pet.owner_id', 'person.id')
        .leftJoin('toy', 'toy.pet_id', 'pet.id')
        .select(['person.first_name', 'pet.name', 'toy.price'])
        .orderBy('person.id')
        .execute()
      assert.deepEqual(joined, [
        { first_name: 'Jennifer', name: 'Catto', price: 2.5 },
        { first_name: 'Arnold', name: 'Doggo', price: 10 },
        { first_name: 'Sylvester', name: 'Hammo', price: null },
      ])
      const owners = await db
        .selectFrom('person')
        .select('first_name')
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('pet')
              .select('pet.id')
              .whereRef('pet.owner_id', '=', 'person.id')
              .where('species', '=', 'dog'),
          ),
        )
        .execute()
      assert.deepEqual(owners, [{ first_name: 'Arnold' }])
    })

    it('aggregates: COUNT (BIGINT) is a number, as with mysql2; SUM of integers is DECIMAL text', async () => {
      const row = await db
        .selectFrom('person')
        .select((eb) => [
          eb.fn.countAll().as('n'),
          eb.fn.sum('children').as('kids'),
          eb.fn.max('id').as('top'),
        ])
        .executeTakeFirstOrThrow()
      assert.deepEqual(row, { n: 3, kids: '7', top: 3 })
    })

    it('executeTakeFirstOrThrow with no row throws NoResultError; a server error keeps its symbol', async () => {
      await assert.rejects(
        db.selectFrom('person').selectAll().where('id', '=', 99).executeTakeFirstOrThrow(),
        NoResultError,
      )
      await assert.rejects(sql`select * from no_such_table`.execute(db), {
        code: 'ER_NO_SUCH_TABLE',
        errno: 1146,
      })
    })
  })

  describe('insert, update, delete: the counts of Kysely’s MysqlDialect', () => {
    it('insert: insertId is the first AUTO_INCREMENT value of the statement, as a bigint', async () => {
      const one = await db
        .insertInto('person')
        .values({ first_name: 'Ada', gender: 'female' })
        .executeTakeFirst()
      assert.deepEqual(one, new InsertResult(4n, 1n))
      const many = await db
        .insertInto('person')
        .values([
          { first_name: 'B', gender: 'male' },
          { first_name: 'C', gender: 'male' },
        ])
        .executeTakeFirstOrThrow()
      assert.equal(many.insertId, 5n)
      assert.equal(many.numInsertedOrUpdatedRows, 2n)
      // No AUTO_INCREMENT value: undefined, as Kysely's MysqlDialect reports a 0.
      const raw = await db.connection().execute(async (c) => {
        await sql`create temporary table no_ai (a int)`.execute(c)
        return sql`insert into no_ai values (1), (2)`.execute(c)
      })
      assert.deepEqual(raw, { insertId: undefined, numAffectedRows: 2n, numChangedRows: 0n, rows: [] })
    })

    it('update: numUpdatedRows counts the rows matched, numChangedRows the rows changed', async () => {
      const result = await db
        .updateTable('person')
        .set({ children: 2 })
        .where('gender', '=', 'male')
        .execute()
      // Arnold 5 → 2 changed; Sylvester already had 2: matched, not changed.
      assert.deepEqual(result, [new UpdateResult(2n, 1n)])
      const none = await db.updateTable('person').set({ children: 2 }).where('id', '=', 99).executeTakeFirst()
      assert.deepEqual(none, new UpdateResult(0n, 0n))
      // A raw UPDATE reports the same way.
      const raw = await sql`update person set children = 2 where gender = ${'male'}`.execute(db)
      assert.equal(raw.numAffectedRows, 2n)
      assert.equal((raw as { numChangedRows?: bigint }).numChangedRows, 0n)
    })

    it('delete: numDeletedRows, with order by and limit (MySQL’s DELETE ... LIMIT)', async () => {
      const result = await db.deleteFrom('toy').orderBy('price', 'desc').limit(1).executeTakeFirst()
      assert.deepEqual(result, new DeleteResult(1n))
      assert.deepEqual(await db.selectFrom('toy').select('name').execute(), [{ name: 'Wool ball' }])
      assert.deepEqual(await db.deleteFrom('person').execute(), [new DeleteResult(3n)])
    })

    it('returning is unsupported by the MySQL adapter: execute() gives Kysely’s InsertResult', async () => {
      // MariaDB 10.5+ runs INSERT ... RETURNING, but Kysely's MysqlAdapter says it has no
      // returning, so the rows are not what execute() resolves with (as on mysql2).
      const result = await db
        .insertInto('person')
        .values({ first_name: 'Ret', gender: 'other' })
        .returning('id')
        .execute()
      assert.ok(result[0] instanceof InsertResult)
      assert.equal(
        (await db.selectFrom('person').where('first_name', '=', 'Ret').selectAll().execute()).length,
        1,
      )
      // UPDATE ... RETURNING is not MariaDB 10.11 syntax.
      await assert.rejects(db.updateTable('person').set({ children: 1 }).returning('id').execute(), {
        code: 'ER_PARSE_ERROR',
      })
    })

    it('onDuplicateKeyUpdate: an update counts 2 rows (MySQL manual 15.2.7.2)', async () => {
      const upsert = (species: 'dog' | 'cat') =>
        db
          .insertInto('pet')
          .values({ name: 'Catto', owner_id: 1, species })
          .onDuplicateKeyUpdate({ species })
          .executeTakeFirstOrThrow()
      const updated = await upsert('dog')
      assert.equal(updated.numInsertedOrUpdatedRows, 2n)
      const pet = await db
        .selectFrom('pet')
        .select('species')
        .where('name', '=', 'Catto')
        .executeTakeFirstOrThrow()
      assert.equal(pet.species, 'dog')
      // Nothing changed: 0 (mysql2, which asks for CLIENT_FOUND_ROWS, reports 1).
      assert.equal((await upsert('dog')).numInsertedOrUpdatedRows, 0n)
      const inserted = await db
        .insertInto('pet')
        .values({ name: 'Newt', owner_id: 1, species: 'cat' })
        .onDuplicateKeyUpdate({ species: 'cat' })
        .executeTakeFirstOrThrow()
      // (InnoDB spent AUTO_INCREMENT values on the upserts that updated.)
      const newt = await db
        .selectFrom('pet')
        .select('id')
        .where('name', '=', 'Newt')
        .executeTakeFirstOrThrow()
      assert.deepEqual(inserted, new InsertResult(BigInt(newt.id), 1n))
    })

    it('ignore(): a duplicate is skipped without an error; replaceInto replaces', async () => {
      const ignored = await db
        .insertInto('pet')
        .ignore()
        .values({ name: 'Catto', owner_id: 2, species: 'dog' })
        .executeTakeFirstOrThrow()
      assert.equal(ignored.numInsertedOrUpdatedRows, 0n)
      await assert.rejects(
        db.insertInto('pet').values({ name: 'Catto', owner_id: 2, species: 'dog' }).execute(),
        {
          code: 'ER_DUP_ENTRY',
          errno: 1062,
        },
      )
      const replaced = await db
        .replaceInto('toy')
        .values({ id: 1, name: 'Yarn', price: 3, pet_id: 1 })
        .executeTakeFirstOrThrow()
      // REPLACE deletes the old row and inserts the new one: 2 rows.
      assert.equal(replaced.numInsertedOrUpdatedRows, 2n)
      assert.equal(
        (await db.selectFrom('toy').select('name').where('id', '=', 1).executeTakeFirstOrThrow()).name,
        'Yarn',
      )
    })
  })

  describe('transactions', () => {
    const names = async () =>
      (await db.selectFrom('person').select('first_name').orderBy('id').execute()).map((r) => r.first_name)

    it('commit, and rollback when the callback throws', async () => {
      const id = await db.transaction().execute(async (trx) => {
        const r = await trx
          .insertInto('person')
          .values({ first_name: 'Tx', gender: 'other' })
          .executeTakeFirstOrThrow()
        return r.insertId
      })
      assert.equal(id, 4n)
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('person').values({ first_name: 'Gone', gender: 'other' }).execute()
          throw new Error('abandon')
        }),
        /abandon/,
      )
      assert.deepEqual(await names(), ['Jennifer', 'Arnold', 'Sylvester', 'Tx'])
    })

    it('isolation level and access mode reach the server; MariaDB has no snapshot level', async () => {
      const level = await db
        .transaction()
        .setIsolationLevel('serializable')
        .execute(async (trx) => {
          await trx.selectFrom('person').select('id').execute()
          return sql<{ level: string }>`select trx_isolation_level as level from information_schema.innodb_trx
            where trx_mysql_thread_id = connection_id()`.execute(trx)
        })
      assert.deepEqual(level.rows, [{ level: 'SERIALIZABLE' }])
      await assert.rejects(
        db
          .transaction()
          .setAccessMode('read only')
          .execute((trx) => trx.insertInto('person').values({ first_name: 'No', gender: 'other' }).execute()),
        { errno: 1792 }, // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
      )
      await assert.rejects(
        db
          .transaction()
          .setIsolationLevel('snapshot')
          .execute(async () => {}),
        { code: 'ERR_INVALID_ARGUMENT', message: /snapshot/ },
      )
      assert.equal((await names()).length, 3)
    })

    it('controlled transactions with savepoints', async () => {
      const trx = await db.startTransaction().execute()
      await trx.insertInto('person').values({ first_name: 'Kept', gender: 'other' }).execute()
      const sp = await trx.savepoint('before `odd` name').execute()
      await sp.insertInto('person').values({ first_name: 'Undone', gender: 'other' }).execute()
      const back = await sp.rollbackToSavepoint('before `odd` name').execute()
      const sp2 = await back.savepoint('second').execute()
      await sp2.insertInto('person').values({ first_name: 'Also kept', gender: 'other' }).execute()
      const released = await sp2.releaseSavepoint('second').execute()
      await released.commit().execute()
      assert.deepEqual(await names(), ['Jennifer', 'Arnold', 'Sylvester', 'Kept', 'Also kept'])
    })

    it('a commit after the transaction ended (DDL commits implicitly) rejects instead of reporting a commit', async () => {
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('person').values({ first_name: 'Early', gender: 'other' }).execute()
          await trx.schema.createTable('implicit_commit').ifNotExists().addColumn('a', 'integer').execute()
        }),
        { sqlState: '25000' },
      )
      await db.schema.dropTable('implicit_commit').ifExists().execute()
    })
  })

  describe('stream', () => {
    it('rows in order through a server-side cursor, chunkSize rows per fetch', async () => {
      const query = sql<{ n: number }>`(select seq as n from seq_1_to_10)`
      const seen: number[] = []
      for await (const row of db.selectFrom(query.as('s')).select('n').orderBy('n').stream(3))
        seen.push(row.n)
      assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      // The chunks Kysely gets from the connection.
      const driver = dialect.createDriver()
      await driver.init()
      const conn = await driver.acquireConnection()
      const sizes: number[] = []
      for await (const chunk of conn.streamQuery(CompiledQuery.raw('select seq from seq_1_to_10'), 3)) {
        sizes.push(chunk.rows.length)
      }
      assert.deepEqual(sizes, [3, 3, 3, 1])
      await assert.rejects(conn.streamQuery(CompiledQuery.raw('select 1'), 0).next(), {
        code: 'ERR_INVALID_ARGUMENT',
      })
      await driver.releaseConnection(conn)
      // Only a connection it lent and has not taken back.
      await assert.rejects(driver.releaseConnection(conn), { code: 'ERR_INVALID_ARGUMENT' })
      await assert.rejects(driver.commitTransaction({} as never), { code: 'ERR_INVALID_ARGUMENT' })
      // A MySqlDriver of its own (one per Kysely driver, as Kysely's MysqlDialect makes a pool per instance).
      await driver.destroy()
    })

    it('leaving the loop early closes the cursor and frees the only connection', async () => {
      const one = new Kysely<Database>({
        dialect: new CovetMysqlDialect({
          connection: { ...mysqlOptions((await getMariaDb()).url), poolSize: 1 },
        }),
      })
      let n = 0
      for await (const _ of one
        .selectFrom(sql<{ seq: number }>`(select seq from seq_1_to_100000)`.as('s'))
        .selectAll()
        .stream(100)) {
        if (++n === 150) break
      }
      assert.equal(n, 150)
      const after = await sql<{ n: number }>`select 1 as n`.execute(one)
      assert.deepEqual(after.rows, [{ n: 1 }])
      await one.destroy()
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
  })

  describe('schema and introspection', () => {
    it('getTables sees a created table and a view with their columns', async () => {
      await db.schema
        .createTable('intro_t')
        .addColumn('id', 'bigint', (c) => c.primaryKey().autoIncrement())
        .addColumn('label', 'varchar(20)', (c) => c.notNull().defaultTo('x'))
        .addColumn('note', 'text')
        .execute()
      await db.schema.createView('intro_v').as(db.selectFrom('person').select('id')).execute()
      try {
        const tables = await db.introspection.getTables()
        const t = tables.find((x) => x.name === 'intro_t')
        assert.ok(t, 'intro_t is listed')
        assert.equal(t.isView, false)
        assert.deepEqual(
          t.columns.map((c) => [c.name, c.dataType, c.isNullable, c.isAutoIncrementing, c.hasDefaultValue]),
          [
            ['id', 'bigint', false, true, false],
            ['label', 'varchar', false, false, true],
            // MariaDB shows a nullable column's missing default as the text 'NULL' in COLUMN_DEFAULT,
            // which Kysely's introspector counts as a default (on mysql2 too).
            ['note', 'text', true, false, true],
          ],
        )
        assert.equal(tables.find((x) => x.name === 'intro_v')?.isView, true)
        for (const name of ['person', 'pet', 'toy'])
          assert.ok(
            tables.some((x) => x.name === name),
            name,
          )
      } finally {
        await db.schema.dropView('intro_v').ifExists().execute()
        await db.schema.dropTable('intro_t').ifExists().execute()
      }
    })

    it('the Migrator runs up and down (its lock is GET_LOCK on one connection)', async () => {
      const migrations: Record<string, Migration> = {
        '001_a': {
          up: (k) =>
            k.schema
              .createTable('mig_a')
              .addColumn('id', 'integer', (c) => c.primaryKey())
              .execute(),
          down: (k) => k.schema.dropTable('mig_a').execute(),
        },
      }
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
      const up = await migrator.migrateToLatest()
      assert.equal(up.error, undefined)
      assert.deepEqual(
        up.results?.map((r) => [r.migrationName, r.status]),
        [['001_a', 'Success']],
      )
      assert.ok((await db.introspection.getTables()).some((t) => t.name === 'mig_a'))
      const down = await migrator.migrateDown()
      assert.equal(down.error, undefined)
      assert.ok(!(await db.introspection.getTables()).some((t) => t.name === 'mig_a'))
      await db.schema.dropTable('kysely_migration').execute()
      await db.schema.dropTable('kysely_migration_lock').execute()
    })
  })
})
