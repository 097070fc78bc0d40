import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { count, eq, relations, sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  date,
  datetime,
  decimal,
  int,
  json,
  mysqlTable,
  serial,
  text,
  timestamp,
  varchar,
} from 'drizzle-orm/mysql-core'
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2'
import mysql from 'mysql2/promise'
import { CovetDrizzleMysqlPool } from '../../../src/drizzle/index.js'
import { getMariaDb } from '../../harness/index.js'
import { mysqlOptions } from '../kysely/mysql-schema.js'

const users = mysqlTable('drz_users', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 64 }).notNull().unique(),
  big: bigint('big', { mode: 'number' }),
  exact: bigint('exact', { mode: 'bigint' }),
  score: decimal('score', { precision: 10, scale: 2 }),
  active: boolean('active').notNull().default(true),
  createdAt: datetime('created_at', { fsp: 3 }),
  createdText: datetime('created_text', { mode: 'string', fsp: 6 }),
  stamp: timestamp('stamp', { fsp: 3 }),
  born: date('born', { mode: 'string' }),
  bornDate: date('born_date'),
  meta: json('meta').$type<{ tags: string[] }>(),
  bio: text('bio'),
})

const posts = mysqlTable('drz_posts', {
  id: serial('id').primaryKey(),
  userId: int('user_id').notNull(),
  title: varchar('title', { length: 64 }).notNull(),
})

const usersRelations = relations(users, ({ many }) => ({ posts: many(posts) }))
const postsRelations = relations(posts, ({ one }) => ({
  author: one(users, { fields: [posts.userId], references: [users.id] }),
}))
const schema = { users, posts, usersRelations, postsRelations }

type Db = MySql2Database<typeof schema>

const DDL = [
  'drop table if exists drz_posts',
  'drop table if exists drz_users',
  `create table drz_users (id serial primary key, name varchar(64) not null unique, big bigint, exact bigint,
    score decimal(10, 2), active boolean not null default true, created_at datetime(3), created_text datetime(6),
    stamp timestamp(3) null, born date, born_date date, meta json, bio text)`,
  'create table drz_posts (id serial primary key, user_id int not null, title varchar(64) not null)',
]

const ALICE = {
  name: 'alice',
  big: 42,
  exact: 9007199254740991n,
  score: '12.50',
  createdAt: new Date('2024-05-06T05:08:09.123Z'),
  createdText: '2024-01-02 03:04:05.678901',
  stamp: new Date('2024-03-04T05:06:07.890Z'),
  born: '1990-02-03',
  bornDate: new Date('1991-04-05T00:00:00Z'),
  meta: { tags: ['a', 'b'] },
  bio: 'line one\nline "two"',
}

/** One scenario through Drizzle; its results (values and JS types) must be the same on mysql2 and on covet. */
async function scenario(db: Db): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  const [inserted] = await db.insert(users).values([ALICE, { name: 'bob' }])
  out.inserted = { affectedRows: inserted.affectedRows, insertId: inserted.insertId }
  out.ids = await db.insert(users).values({ name: 'carol' }).$returningId()
  out.users = await db.select().from(users).orderBy(users.id)
  const alice = 1
  const bob = 2
  await db.insert(posts).values([
    { userId: alice, title: 'first' },
    { userId: alice, title: 'second' },
    { userId: bob, title: 'third' },
  ])
  // Both tables have an `id` column: Drizzle reads the joined row as an array.
  out.joined = await db.select().from(posts).innerJoin(users, eq(posts.userId, users.id)).orderBy(posts.id)
  out.grouped = await db
    .select({ owner: users.name, posts: count(posts.id) })
    .from(users)
    .leftJoin(posts, eq(posts.userId, users.id))
    .groupBy(users.name)
    .orderBy(users.name)
  out.counted = await db.$count(posts)
  // No relational queries (db.query): Drizzle builds them with LATERAL joins, which MariaDB lacks.
  const [updated] = await db.update(users).set({ active: true }).where(eq(users.name, 'alice'))
  // One row matched, none changed: mysql2 counts the match.
  out.updated = { affectedRows: updated.affectedRows, changedRows: updated.changedRows }
  const [raw] = await db.execute(sql`select 1 as a, 2 as a, ${'text'} as t, cast(7 as signed) as big`)
  out.raw = raw
  const [deleted] = await db.delete(posts).where(eq(posts.title, 'third'))
  out.deleted = deleted.affectedRows
  out.committed = await db.transaction(async (tx) => {
    await tx.insert(posts).values({ userId: alice, title: 'in tx' })
    return tx.$count(posts)
  })
  const failed = await db
    .transaction(async (tx) => {
      await tx.insert(posts).values({ userId: alice, title: 'rolled back' })
      throw new Error('undo')
    })
    .catch((error: Error) => error.message)
  out.rolledBack = [failed, await db.$count(posts, eq(posts.title, 'rolled back'))]
  await db.transaction(async (tx) => {
    await tx.insert(posts).values({ userId: bob, title: 'outer' })
    await tx
      .transaction(async (inner) => {
        await inner.insert(posts).values({ userId: bob, title: 'inner' })
        throw new Error('inner undo')
      })
      .catch(() => {})
  })
  out.savepoint = await db.select({ title: posts.title }).from(posts).where(eq(posts.userId, bob))
  out.duplicate = await db
    .insert(users)
    .values({ name: 'alice' })
    .catch((error: Error & { cause?: { code?: string; errno?: number } }) => ({
      code: error.cause?.code,
      errno: error.cause?.errno,
      kind: error.constructor.name,
    }))
  out.isolation = await db.transaction(
    async (tx) => (await tx.execute(sql`select @@session.tx_isolation as level`))[0],
    { isolationLevel: 'serializable' },
  )
  return out
}

describe('covet/drizzle: drizzle-orm/mysql2 on CovetDrizzleMysqlPool', () => {
  let options: { host: string; port: number; user: string; password: string; database: string }
  let viaMysql2: mysql.Pool
  let covetPool: CovetDrizzleMysqlPool
  before(async () => {
    options = mysqlOptions((await getMariaDb()).url)
    viaMysql2 = mysql.createPool({ ...options, connectionLimit: 2, timezone: 'Z' })
    covetPool = new CovetDrizzleMysqlPool({ ...options, poolSize: 2 })
  })
  after(async () => {
    for (const statement of DDL.slice(0, 2)) await viaMysql2.query(statement)
    await Promise.all([viaMysql2.end(), covetPool.end()])
  })

  const fresh = async () => {
    for (const statement of DDL) await viaMysql2.query(statement)
  }

  it('a scenario gives the same values, with the same JS types, as on a mysql2 pool', async () => {
    await fresh()
    const viaPeer = await scenario(drizzle({ client: viaMysql2, schema, mode: 'default' }))
    await fresh()
    const viaCovet = await scenario(
      drizzle({ client: covetPool as unknown as mysql.Pool, schema, mode: 'default' }),
    )
    for (const key of Object.keys(viaPeer)) assert.deepEqual(viaCovet[key], viaPeer[key], key)
    assert.deepEqual(Object.keys(viaCovet), Object.keys(viaPeer))
    // The scenario checks something: its values are what the schema says.
    assert.deepEqual(viaCovet.inserted, { affectedRows: 2, insertId: 1 })
    assert.deepEqual(viaCovet.updated, { affectedRows: 1, changedRows: 0 })
    const [alice] = viaCovet.users as (typeof users.$inferSelect)[]
    assert.equal(alice?.exact, 9007199254740991n)
    assert.deepEqual(alice?.meta, ALICE.meta)
    assert.deepEqual(alice?.createdAt, ALICE.createdAt)
    assert.equal(alice?.createdText, ALICE.createdText)
    assert.deepEqual(viaCovet.rolledBack, ['undo', 0])
    assert.deepEqual(viaCovet.savepoint, [{ title: 'outer' }])
    assert.deepEqual(viaCovet.duplicate, { code: 'ER_DUP_ENTRY', errno: 1062, kind: 'DrizzleQueryError' })
  })

  it('a transaction runs on one reserved connection, given back at its end', async () => {
    const one = new CovetDrizzleMysqlPool({ ...options, poolSize: 1 })
    const db = drizzle({ client: one as unknown as mysql.Pool })
    const ids = await db.transaction(async (tx) => {
      const [a] = await tx.execute(sql`select connection_id() as id`)
      const [b] = await tx.execute(sql`select connection_id() as id`)
      return [a, b]
    })
    assert.deepEqual(ids[0], ids[1])
    // One connection: this runs only if the transaction gave it back.
    assert.deepEqual((await db.execute(sql`select 1 as n`))[0], [{ n: 1 }])
    await one.end()
  })

  it('a BIGINT past 2^53 fails loudly where mysql2 rounds; bigint: string reads it exactly', async () => {
    const big = 9007199254740993n
    await fresh()
    const db = drizzle({ client: covetPool as unknown as mysql.Pool, schema, mode: 'default' })
    await db.insert(users).values({ name: 'big', exact: big })
    const rounded = await drizzle({ client: viaMysql2, schema, mode: 'default' }).select().from(users)
    assert.equal(rounded[0]?.exact, 9007199254740992n)
    const failed = await db
      .select()
      .from(users)
      .catch((error: Error & { cause?: { code?: string } }) => error.cause?.code)
    assert.equal(failed, 'ERR_TYPE_DECODE')
    const exactPool = new CovetDrizzleMysqlPool({ ...options, poolSize: 1, types: { bigint: 'string' } })
    const exact = drizzle({ client: exactPool as unknown as mysql.Pool, schema, mode: 'default' })
    assert.equal((await exact.select().from(users))[0]?.exact, big)
    await exactPool.end()
  })

  it('refuses the row mode it sets itself, and a query that is not SQL text', async () => {
    assert.throws(() => new CovetDrizzleMysqlPool({ ...options, rowMode: 'array' } as never), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    await assert.rejects(covetPool.query({} as never), { code: 'ERR_INVALID_ARGUMENT' })
  })
})
