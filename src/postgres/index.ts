export type { CacheLevelMetrics } from '../driver/metrics.js'
export type { BuiltQuery, QueryBuilderLike, QueryInput } from '../driver/query-input.js'
export { SqlFragment, SqlQuery, type SqlTag } from '../driver/sql-tag.js'
export type { BatchStatement, RetryOptions } from '../driver/transactions.js'
export type { ChannelBindingMode } from './auth/scram.js'
export { type ParamCodec, type ResultCodec, type TypeCodecs, textCodecs } from './codecs.js'
export type { PasswordSource, PgConnectionOptions, SslMode } from './config.js'
export {
  type CopyOptions,
  type Notice,
  type Notification,
  PgConnection,
  type PgConnectionSettings,
  type QueryOptions,
  type StreamOptions,
} from './connection.js'
export type { CopySource } from './copy.js'
export type { BulkInsertOptions, BulkRow, BulkRows } from './driver/bulk-insert.js'
export type { NotificationHandler } from './driver/listener.js'
export type { DriverMetrics } from './driver/metrics.js'
export type { PostgresDriverOptions } from './driver/options.js'
export type { ReservedConnection } from './driver/reserved.js'
export type { DriverStreamOptions, ExecuteOptions, Session } from './driver/session.js'
export type { IsolationLevel, Transaction, TransactionOptions } from './driver/transactions.js'
export { PostgresDriver } from './driver.js'
export type { TransactionStatus } from './protocol/codes.js'
export type { FieldDescription } from './protocol/messages.js'
export type { QueryResult } from './query-handlers.js'
export type { RowMode } from './row-decoder.js'
export type { DateMode, TimestampMode, WallClockZone } from './types/datetime.js'
export type { Interval, IntervalMode } from './types/interval.js'
export type { Int8Mode } from './types/numbers.js'
export type { NumericMode } from './types/numeric.js'
export { ARRAY_OID, Oid } from './types/oids.js'
export type { TypeOptions } from './types/options.js'
export type { PgType } from './types/pg-type.js'
export { type CustomType, TypeRegistry } from './types/registry.js'
export type { JsonMode } from './types/strings.js'
export { resolveTypeOids, type TypeLookup, type TypeOids } from './types/type-lookup.js'
