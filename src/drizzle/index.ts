export {
  CovetDrizzleMysqlConnection,
  CovetDrizzleMysqlPool,
  type Mysql2QueryOptions,
  type Mysql2ResultHeader,
  type Mysql2Shaped,
} from './mysql-pool.js'
export { CovetDrizzleClient, CovetDrizzlePool, type PgQueryConfig, type PgShapedResult } from './pg-pool.js'
