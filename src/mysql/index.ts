export type { CacheLevelMetrics } from '../driver/metrics.js'
export type { BuiltQuery, QueryBuilderLike, QueryInput } from '../driver/query-input.js'
export { SqlFragment, SqlQuery, type SqlTag } from '../driver/sql-tag.js'
export type { BatchStatement, RetryOptions } from '../driver/transactions.js'
export type { MySqlBulkInsertOptions, MySqlBulkRow, MySqlBulkRows } from './bulk-insert.js'
export type { MySqlConnectionOptions, PasswordSource } from './config.js'
export {
  type ExecuteOptions,
  MySqlConnection,
  type MySqlConnectionSettings,
  type QueryOptions,
  type SharedState,
  type StreamOptions,
} from './connection.js'
export type {
  DriverExecuteOptions,
  DriverStreamOptions,
  IsolationLevel,
  MySqlTransactionOptions,
} from './driver/dialect.js'
export type { MySqlDriverOptions } from './driver/options.js'
export type { MySqlReservedConnection, MySqlSession, MySqlTransaction } from './driver/session.js'
export { MySqlDriver, type MySqlDriverMetrics } from './driver.js'
export type { MySqlResult } from './handlers.js'
export type { InfileSource } from './pending.js'
export { wasNeverSent } from './pipeline.js'
export type { ColumnDefinition } from './protocol/columns.js'
export { ColumnFlag, ColumnType } from './protocol/constants.js'
export type { PreparedStatement } from './statements.js'
export type {
  BigIntMode,
  DateMode,
  DateTimeMode,
  DecimalMode,
  JsonMode,
  MySqlTypeOptions,
} from './types/options.js'
export type { RowMode } from './types/row-decoder.js'
