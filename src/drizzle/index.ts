export { CovetDrizzleClient, CovetDrizzlePool, type PgQueryConfig, type PgShapedResult } from './pool.js'
