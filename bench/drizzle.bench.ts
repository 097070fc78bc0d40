/**
 * Drizzle ORM on its peers' pools beside it on covet's (issue 17), same server, same data, one
 * run: Drizzle builds the SQL and maps the rows in both, so the ratio is what the pool under it
 * changes. PostgreSQL: drizzle-orm/node-postgres on `pg.Pool` vs `CovetDrizzlePool`; MariaDB:
 * drizzle-orm/mysql2 on a mysql2 pool vs `CovetDrizzleMysqlPool`. Pools of 10.
 * - point select by primary key (a Drizzle prepared query) with 8 and 32 concurrent callers;
 * - a select of 100 rows;
 * - a transaction of one insert and one select (BEGIN, 2 statements, COMMIT on one connection).
 *
 * Servers: the test harness's, or COVET_BENCH_PG_URL / COVET_BENCH_MYSQL_URL.
 * Run: node scripts/bench.mjs drizzle
 */
import { eq, gt, sql } from 'drizzle-orm'
import { int, boolean as myBoolean, mysqlTable, varchar } from 'drizzle-orm/mysql-core'
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { boolean, integer, pgTable, text } from 'drizzle-orm/pg-core'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { CovetDrizzleMysqlPool, CovetDrizzlePool } from '../src/drizzle/index.js'
import { parsePgUrl } from '../src/postgres/config.js'
import { type Measurement, measure, report } from './support/measure.js'
import { mysqlOptions } from './support/mysql-options.mjs'
import { benchMySqlUrl } from './support/mysql-server.js'
import { benchPostgresUrl } from './support/pg-server.js'

const POOL = 10
const ROWS = 10_000
let next = 0
const id = () => (next = (next % ROWS) + 1)

// Drizzle's query builders differ in type per dialect; the benchmark only runs them.
// biome-ignore lint/suspicious/noExplicitAny: one loop over both dialects' Drizzle instances
type AnyDb = any

interface Runner {
  name: string
  point: (callers: number) => Promise<unknown>
  hundred: () => Promise<unknown>
  transaction: () => Promise<unknown>
}

function runner(name: string, db: AnyDb, users: AnyDb, log: AnyDb): Runner {
  const point = db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare('point')
  const hundred = db.select().from(users).where(gt(users.id, 5000)).orderBy(users.id).limit(100)
  return {
    name,
    point: (callers) => Promise.all(Array.from({ length: callers }, () => point.execute({ id: id() }))),
    hundred: () => hundred.execute(),
    transaction: () =>
      db.transaction(async (tx: AnyDb) => {
        const n = id()
        await tx.insert(log).values({ id: n, note: 'bench' })
        return tx.select().from(users).where(eq(users.id, n))
      }),
  }
}

/** Each group measures every pool in turn, so that a slow moment of the machine is not one pool's. */
async function compare(server: string, runners: Runner[]): Promise<void> {
  const baseline = runners[0]!.name
  for (const callers of [8, 32]) {
    const measured: Measurement[] = []
    for (const r of runners)
      measured.push(await measure(r.name, () => r.point(callers), { opsPerCall: callers }))
    report(`${server}: point select, ${callers} callers (pool of ${POOL})`, measured, baseline, 'queries/s')
  }
  const hundred: Measurement[] = []
  for (const r of runners) hundred.push(await measure(r.name, r.hundred))
  report(`${server}: select of 100 rows`, hundred, baseline, 'queries/s')
  const transactions: Measurement[] = []
  for (const r of runners) transactions.push(await measure(r.name, r.transaction))
  report(`${server}: transaction, insert + select`, transactions, baseline, 'transactions/s')
}

const SEED = `select i, concat('user ', i), concat('user', i, '@example.com'), i % 100, i % 2 = 0`

{
  const users = pgTable('bench_drizzle_users', {
    id: integer('id').primaryKey(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    score: integer('score').notNull(),
    active: boolean('active').notNull(),
  })
  const log = pgTable('bench_drizzle_log', { id: integer('id').notNull(), note: text('note').notNull() })
  const url = await benchPostgresUrl()
  const pgPool = new pg.Pool({ connectionString: url, max: POOL })
  const covetPool = new CovetDrizzlePool({ ...parsePgUrl(url), sslmode: 'disable', poolSize: POOL })
  await pgPool.query(`drop table if exists bench_drizzle_users; drop table if exists bench_drizzle_log;
    create table bench_drizzle_users (id int primary key, name text not null, email text not null, score int not null, active bool not null);
    create table bench_drizzle_log (id int not null, note text not null);
    insert into bench_drizzle_users ${SEED} from generate_series(1, ${ROWS}) i`)
  await compare('PostgreSQL', [
    runner('drizzle on pg.Pool', drizzlePg({ client: pgPool }), users, log),
    runner('drizzle on CovetDrizzlePool', drizzlePg({ client: covetPool as unknown as pg.Pool }), users, log),
  ])
  await pgPool.query('drop table bench_drizzle_users; drop table bench_drizzle_log')
  await Promise.all([pgPool.end(), covetPool.end()])
}

{
  const users = mysqlTable('bench_drizzle_users', {
    id: int('id').primaryKey(),
    name: varchar('name', { length: 64 }).notNull(),
    email: varchar('email', { length: 64 }).notNull(),
    score: int('score').notNull(),
    active: myBoolean('active').notNull(),
  })
  const log = mysqlTable('bench_drizzle_log', {
    id: int('id').notNull(),
    note: varchar('note', { length: 16 }).notNull(),
  })
  const options = mysqlOptions(await benchMySqlUrl())
  const mysql2Pool = mysql.createPool({ ...options, connectionLimit: POOL })
  const covetPool = new CovetDrizzleMysqlPool({ ...options, poolSize: POOL })
  for (const statement of [
    'drop table if exists bench_drizzle_users',
    'drop table if exists bench_drizzle_log',
    'create table bench_drizzle_users (id int primary key, name varchar(64) not null, email varchar(64) not null, score int not null, active bool not null)',
    'create table bench_drizzle_log (id int not null, note varchar(16) not null)',
    `insert into bench_drizzle_users ${SEED} from (select seq as i from seq_1_to_${ROWS}) s`,
  ]) {
    await mysql2Pool.query(statement)
  }
  await compare('MariaDB', [
    runner('drizzle on mysql2 pool', drizzleMysql({ client: mysql2Pool }), users, log),
    runner(
      'drizzle on CovetDrizzleMysqlPool',
      drizzleMysql({ client: covetPool as unknown as mysql.Pool }),
      users,
      log,
    ),
  ])
  await mysql2Pool.query('drop table bench_drizzle_users')
  await mysql2Pool.query('drop table bench_drizzle_log')
  await Promise.all([mysql2Pool.end(), covetPool.end()])
}
process.exit(0)
