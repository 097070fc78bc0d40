import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { count, eq, relations, sql } from 'drizzle-orm'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import {
  bigint,
  boolean,
  date,
  integer,
  interval,
  jsonb,
  numeric,
  pgTable,
  serial,
  text,
  timestamp,
} from 'drizzle-orm/pg-core'
import pg from 'pg'
import { CovetDrizzlePool } from '../../../src/drizzle/index.js'
import { getPostgres } from '../../harness/index.js'
import { urlOptions } from '../kysely/schema.js'

const users = pgTable('drz_users', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  big: bigint('big', { mode: 'bigint' }),
  small: bigint('small', { mode: 'number' }),
  score: numeric('score'),
  active: boolean('active').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }),
  wallClock: timestamp('wall_clock'),
  born: date('born'),
  bornDate: date('born_date', { mode: 'date' }),
  span: interval('span'),
  meta: jsonb('meta').$type<{ tags: string[] }>(),
  tags: text('tags').array(),
})

const posts = pgTable('drz_posts', {
  id: serial('id').primaryKey(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id),
  title: text('title').notNull(),
})

const DDL = `
  drop table if exists drz_posts; drop table if exists drz_users;
  create table drz_users (id serial primary key, name text not null unique, big int8, small int8,
    score numeric, active boolean not null default true, created_at timestamptz, wall_clock timestamp,
    born date, born_date date, span interval, meta jsonb, tags text[]);
  create table drz_posts (id serial primary key, user_id int not null references drz_users(id), title text not null)`

const usersRelations = relations(users, ({ many }) => ({ posts: many(posts) }))
const postsRelations = relations(posts, ({ one }) => ({
  author: one(users, { fields: [posts.userId], references: [users.id] }),
}))
const schema = { users, posts, usersRelations, postsRelations }

type Db = NodePgDatabase<typeof schema>

/** Drizzle's types name pg's classes; the pool is pg-shaped where Drizzle reads it (docs/drizzle.md). */
const asPgPool = (pool: CovetDrizzlePool) => pool as unknown as pg.Pool

const ALICE = {
  name: 'alice',
  big: 9007199254740993n,
  small: 42,
  score: '12.50',
  createdAt: new Date('2024-05-06T05:08:09.123Z'),
  wallClock: new Date('2024-01-02T03:04:05.678Z'),
  born: '1990-02-03',
  bornDate: new Date('1991-04-05T00:00:00Z'),
  span: '1 day 02:03:04',
  meta: { tags: ['a', 'b'] },
  tags: ['x', 'y z', 'q"uote'],
}

/** One scenario through Drizzle; its results (values and JS types) must be the same on pg and on covet. */
async function scenario(db: Db): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  out.inserted = await db
    .insert(users)
    .values([ALICE, { name: 'bob' }])
    .returning()
  const [alice, bob] = out.inserted as { id: number }[]
  await db.insert(posts).values([
    { userId: alice!.id, title: 'first' },
    { userId: alice!.id, title: 'second' },
    { userId: bob!.id, title: 'third' },
  ])
  // Both tables have an `id` column: Drizzle reads the joined row as an array.
  out.joined = await db.select().from(posts).innerJoin(users, eq(posts.userId, users.id)).orderBy(posts.id)
  out.partial = await db
    .select({ title: posts.title, owner: users.name, n: sql<number>`${posts.id} * 10` })
    .from(posts)
    .leftJoin(users, eq(posts.userId, users.id))
    .orderBy(posts.id)
  out.grouped = await db
    .select({ owner: users.name, posts: count(posts.id) })
    .from(users)
    .leftJoin(posts, eq(posts.userId, users.id))
    .groupBy(users.name)
    .orderBy(users.name)
  out.counted = await db.$count(posts)
  // Relational queries: nested rows as JSON built by the server.
  out.relational = await db.query.users.findMany({
    columns: { name: true, createdAt: true },
    with: { posts: { columns: { title: true }, orderBy: (p, { asc }) => [asc(p.id)] } },
    orderBy: (u, { asc }) => [asc(u.id)],
  })
  out.relationalOne = await db.query.posts.findFirst({
    where: (p, { eq }) => eq(p.title, 'second'),
    with: { author: { columns: { name: true, big: true } } },
  })
  out.updated = await db.update(users).set({ score: '99.99' }).where(eq(users.name, 'bob')).returning({
    name: users.name,
    score: users.score,
  })
  const raw = await db.execute(
    sql`select 1 as a, 2 as a, ${'text'}::text as t, now() - now() as zero, 7::int8 as big`,
  )
  out.raw = { rows: raw.rows, rowCount: raw.rowCount, command: raw.command }
  const deleted = await db.delete(posts).where(eq(posts.title, 'third'))
  out.deleted = { rowCount: deleted.rowCount, command: deleted.command }
  out.committed = await db.transaction(async (tx) => {
    await tx.insert(posts).values({ userId: alice!.id, title: 'in tx' })
    return tx.$count(posts)
  })
  const failed = await db
    .transaction(async (tx) => {
      await tx.insert(posts).values({ userId: alice!.id, title: 'rolled back' })
      throw new Error('undo')
    })
    .catch((error: Error) => error.message)
  out.rolledBack = [failed, await db.$count(posts, eq(posts.title, 'rolled back'))]
  await db.transaction(async (tx) => {
    await tx.insert(posts).values({ userId: bob!.id, title: 'outer' })
    await tx
      .transaction(async (inner) => {
        await inner.insert(posts).values({ userId: bob!.id, title: 'inner' })
        throw new Error('inner undo')
      })
      .catch(() => {})
  })
  out.savepoint = await db.select({ title: posts.title }).from(posts).where(eq(posts.userId, bob!.id))
  out.rollbackCall = await db
    .transaction(async (tx) => {
      await tx.insert(posts).values({ userId: bob!.id, title: 'tx.rollback()' })
      tx.rollback()
    })
    .catch((error: Error) => error.constructor.name)
  const duplicate = await db
    .insert(users)
    .values({ name: 'alice' })
    .catch((error: Error & { cause?: { code?: string } }) => ({
      code: error.cause?.code,
      kind: error.constructor.name,
    }))
  out.duplicate = duplicate
  out.isolation = await db.transaction(
    async (tx) => (await tx.execute(sql`select current_setting('transaction_isolation') as level`)).rows,
    { isolationLevel: 'serializable', accessMode: 'read only' },
  )
  return out
}

describe('covet/drizzle: drizzle-orm/node-postgres on CovetDrizzlePool', () => {
  let url: string
  let pgPool: pg.Pool
  let covetPool: CovetDrizzlePool
  before(async () => {
    url = (await getPostgres()).urls.trust
    pgPool = new pg.Pool({ connectionString: url, max: 2 })
    covetPool = new CovetDrizzlePool({ ...urlOptions(url), poolSize: 2 })
  })
  after(async () => {
    await pgPool.query('drop table if exists drz_posts; drop table if exists drz_users')
    await Promise.all([pgPool.end(), covetPool.end()])
  })

  it('a scenario gives the same values, with the same JS types, as on pg.Pool', async () => {
    await pgPool.query(DDL)
    const viaPg = await scenario(drizzle({ client: pgPool, schema }))
    await pgPool.query(DDL)
    const viaCovet = await scenario(drizzle({ client: asPgPool(covetPool), schema }))
    for (const key of Object.keys(viaPg)) assert.deepEqual(viaCovet[key], viaPg[key], key)
    assert.deepEqual(Object.keys(viaCovet), Object.keys(viaPg))
    // The scenario checks something: its values are what the schema says.
    const [alice] = viaCovet.inserted as (typeof users.$inferSelect)[]
    assert.equal(alice?.big, 9007199254740993n)
    assert.deepEqual(alice?.createdAt, ALICE.createdAt)
    assert.deepEqual(viaCovet.duplicate, { code: '23505', kind: 'DrizzleQueryError' })
    assert.deepEqual(viaCovet.rolledBack, ['undo', 0])
    assert.deepEqual(viaCovet.savepoint, [{ title: 'outer' }])
    assert.deepEqual(viaCovet.relational, [
      { name: 'alice', createdAt: ALICE.createdAt, posts: [{ title: 'first' }, { title: 'second' }] },
      { name: 'bob', createdAt: null, posts: [{ title: 'third' }] },
    ])
  })

  it('a transaction runs on one reserved connection, given back at its end', async () => {
    const one = new CovetDrizzlePool({ ...urlOptions(url), poolSize: 1 })
    const db = drizzle({ client: asPgPool(one) })
    const pids = await db.transaction(async (tx) => {
      const a = await tx.execute(sql`select pg_backend_pid() as pid`)
      const b = await tx.execute(sql`select pg_backend_pid() as pid`)
      return [a.rows[0], b.rows[0]]
    })
    assert.deepEqual(pids[0], pids[1])
    // One connection: this runs only if the transaction gave it back.
    assert.deepEqual((await db.execute(sql`select 1 as n`)).rows, [{ n: 1 }])
    await one.end()
  })

  it('refuses the options it sets itself, and a query that is not SQL text', async () => {
    assert.throws(() => new CovetDrizzlePool({ ...urlOptions(url), rowMode: 'array' } as never), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    assert.throws(() => new CovetDrizzlePool({ ...urlOptions(url), types: {} } as never), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    await assert.rejects(covetPool.query({} as never), { code: 'ERR_INVALID_ARGUMENT' })
  })
})
