// The database the Kysely tests share: Kysely's own test schema in shape (person, pet, toy),
// written here for covet's tests, plus a table of PostgreSQL types.
import { type Generated, type Kysely, sql } from 'kysely'

export interface Person {
  id: Generated<number>
  first_name: string | null
  last_name: string | null
  gender: 'male' | 'female' | 'other'
  children: Generated<number>
}

export interface Pet {
  id: Generated<number>
  name: string
  owner_id: number
  species: 'dog' | 'cat' | 'hamster'
}

export interface Toy {
  id: Generated<number>
  name: string
  price: number
  pet_id: number
}

export interface Kinds {
  id: Generated<number>
  big: string | null
  num: string | null
  flag: boolean | null
  doc: unknown
  tags: string[] | null
  ints: number[] | null
  bytes: Buffer | null
  at: Date | null
  uid: string | null
}

export interface Database {
  person: Person
  pet: Pet
  toy: Toy
  kinds: Kinds
}

export async function createSchema(db: Kysely<Database>): Promise<void> {
  await dropSchema(db)
  await db.schema
    .createTable('person')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('first_name', 'varchar(255)')
    .addColumn('last_name', 'varchar(255)')
    .addColumn('gender', 'varchar(50)', (c) => c.notNull())
    .addColumn('children', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .createTable('pet')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.unique().notNull())
    .addColumn('owner_id', 'integer', (c) => c.references('person.id').onDelete('cascade').notNull())
    .addColumn('species', 'varchar(50)', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('toy')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('price', 'double precision', (c) => c.notNull())
    .addColumn('pet_id', 'integer', (c) => c.references('pet.id').onDelete('cascade').notNull())
    .execute()
  await db.schema.createIndex('pet_owner_id_index').on('pet').column('owner_id').execute()
  await db.schema
    .createTable('kinds')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('big', 'bigint')
    .addColumn('num', 'numeric(20, 4)')
    .addColumn('flag', 'boolean')
    .addColumn('doc', 'jsonb')
    .addColumn('tags', sql`text[]`)
    .addColumn('ints', sql`integer[]`)
    .addColumn('bytes', 'bytea')
    .addColumn('at', 'timestamptz')
    .addColumn('uid', 'uuid')
    .execute()
}

export async function dropSchema(db: Kysely<Database>): Promise<void> {
  for (const table of ['kinds', 'toy', 'pet', 'person'] as const) {
    await db.schema.dropTable(table).ifExists().cascade().execute()
  }
}

/** Three people with a pet each, and two toys; ids are as inserted (serial from 1). */
export async function seed(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom('kinds').execute()
  await db.deleteFrom('toy').execute()
  await db.deleteFrom('pet').execute()
  await db.deleteFrom('person').execute()
  await sql`alter sequence person_id_seq restart; alter sequence pet_id_seq restart; alter sequence toy_id_seq restart`.execute(
    db,
  )
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

/** A harness URL as driver options, so that tests can add pool options. */
export function urlOptions(url: string): { host: string; port: number; user: string; database: string } {
  const u = new URL(url)
  return {
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    database: u.pathname.slice(1),
  }
}
