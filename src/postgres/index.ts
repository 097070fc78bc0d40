export type { ChannelBindingMode } from './auth/scram.js'
export type { ParamCodec, ResultCodec, TypeCodecs } from './codecs.js'
export type { PasswordSource, PgConnectionOptions, SslMode } from './config.js'
export {
  type Notice,
  type Notification,
  PgConnection,
  type PgConnectionSettings,
  type QueryOptions,
  type StreamOptions,
} from './connection.js'
export type { TransactionStatus } from './protocol/codes.js'
export type { FieldDescription } from './protocol/messages.js'
export type { QueryResult } from './query-handlers.js'
export type { RowMode } from './row-decoder.js'
