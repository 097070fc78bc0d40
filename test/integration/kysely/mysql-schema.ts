// The MySQL side of the Kysely tests' database: Kysely's test schema in shape (person, pet, toy,
// as schema.ts has it for PostgreSQL), with AUTO_INCREMENT keys on InnoDB.
import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'

export type { Database } from './schema.js'

export const TABLES = ['toy', 'pet', 'person'] as const

export async function createMysqlSchema(db: Kysely<Database>): Promise<void> {
  await dropMysqlSchema(db)
  await db.schema
    .createTable('person')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('first_name', 'varchar(255)')
    .addColumn('last_name', 'varchar(255)')
    .addColumn('gender', 'varchar(50)', (c) => c.notNull())
    .addColumn('children', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .createTable('pet')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'varchar(255)', (c) => c.unique().notNull())
    .addColumn('owner_id', 'integer', (c) => c.references('person.id').onDelete('cascade').notNull())
    .addColumn('species', 'varchar(50)', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('toy')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('price', 'double precision', (c) => c.notNull())
    .addColumn('pet_id', 'integer', (c) => c.references('pet.id').onDelete('cascade').notNull())
    .execute()
}

export async function dropMysqlSchema(db: Kysely<Database>): Promise<void> {
  for (const table of TABLES) await db.schema.dropTable(table).ifExists().execute()
}

/** Three people with a pet each, and two toys; ids 1, 2, 3 as inserted. */
export async function seedMysql(db: Kysely<Database>): Promise<void> {
  // TRUNCATE restarts AUTO_INCREMENT; the foreign keys need their checks off for it.
  await db.connection().execute(async (c) => {
    await sql`set foreign_key_checks = 0`.execute(c)
    for (const table of TABLES) await sql`truncate table ${sql.table(table)}`.execute(c)
    await sql`set foreign_key_checks = 1`.execute(c)
  })
  await db
    .insertInto('person')
    .values([
      { first_name: 'Jennifer', last_name: 'Aniston', gender: 'female' },
      { first_name: 'Arnold', last_name: 'Schwarzenegger', gender: 'male', children: 5 },
      { first_name: 'Sylvester', last_name: 'Stallone', gender: 'male', children: 2 },
    ])
    .execute()
  await db
    .insertInto('pet')
    .values([
      { name: 'Catto', owner_id: 1, species: 'cat' },
      { name: 'Doggo', owner_id: 2, species: 'dog' },
      { name: 'Hammo', owner_id: 3, species: 'hamster' },
    ])
    .execute()
  await db
    .insertInto('toy')
    .values([
      { name: 'Wool ball', price: 2.5, pet_id: 1 },
      { name: 'Bone', price: 10, pet_id: 2 },
    ])
    .execute()
}

/** A harness URL as MySqlDriver options, so that tests can add pool options. */
export function mysqlOptions(url: string): {
  host: string
  port: number
  user: string
  password: string
  database: string
} {
  const u = new URL(url)
  return {
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
  }
}
