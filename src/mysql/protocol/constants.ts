/**
 * Numbers of the MySQL/MariaDB client/server protocol, named as the MariaDB protocol pages name
 * them (https://mariadb.com/docs/server/reference/clientserver-protocol/).
 */

/**
 * Capability flags, lower 32 bits ("1 - Connecting", Capabilities). Bit 0 is CLIENT_MYSQL when a
 * MariaDB server talks about itself (unset: the server is MariaDB 10.2+ and the upper 32 bits are
 * in the handshake's reserved bytes), CLIENT_LONG_PASSWORD for MySQL.
 */
export const Capability = {
  MYSQL: 1,
  FOUND_ROWS: 2,
  LONG_FLAG: 4,
  CONNECT_WITH_DB: 8,
  NO_SCHEMA: 1 << 4,
  COMPRESS: 1 << 5,
  LOCAL_FILES: 1 << 7,
  IGNORE_SPACE: 1 << 8,
  PROTOCOL_41: 1 << 9,
  INTERACTIVE: 1 << 10,
  SSL: 1 << 11,
  TRANSACTIONS: 1 << 13,
  SECURE_CONNECTION: 1 << 15,
  MULTI_STATEMENTS: 1 << 16,
  MULTI_RESULTS: 1 << 17,
  PS_MULTI_RESULTS: 1 << 18,
  PLUGIN_AUTH: 1 << 19,
  CONNECT_ATTRS: 1 << 20,
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 1 << 21,
  CAN_HANDLE_EXPIRED_PASSWORDS: 1 << 22,
  SESSION_TRACK: 1 << 23,
  DEPRECATE_EOF: 1 << 24,
  /** MySQL 8: optional result set metadata (covet never asks for it). */
  OPTIONAL_RESULTSET_METADATA: 1 << 25,
  ZSTD_COMPRESSION: 1 << 26,
  /** MySQL 8.0.23+: query attributes change COM_QUERY/COM_STMT_EXECUTE layouts (never asked for). */
  QUERY_ATTRIBUTES: 1 << 27,
  SSL_VERIFY_SERVER_CERT: 1 << 30,
} as const

/**
 * MariaDB extended capabilities: the upper 32 bits, sent in the handshake's last 4 reserved bytes
 * and in the HandshakeResponse's reserved bytes ("MariaDB Protocol Differences with MySQL").
 * Values here are bit positions within that second 32-bit word.
 */
export const MariaDbCapability = {
  PROGRESS: 1,
  COM_MULTI: 1 << 1,
  /** COM_STMT_BULK_EXECUTE, and statement id -1 for PREPARE + EXECUTE pipelining (10.2+). */
  STMT_BULK_OPERATIONS: 1 << 2,
  /** Column definitions carry extended type info, e.g. format=json (10.5.2+). */
  EXTENDED_METADATA: 1 << 3,
  /** COM_STMT_EXECUTE may skip column definitions that did not change since PREPARE (10.6+). */
  CACHE_METADATA: 1 << 4,
  BULK_UNIT_RESULTS: 1 << 5,
} as const

/** Server status flags of OK_Packet/EOF_Packet ("OK_Packet", server status flag). */
export const ServerStatus = {
  IN_TRANS: 1,
  AUTOCOMMIT: 2,
  MORE_RESULTS_EXISTS: 8,
  NO_GOOD_INDEX_USED: 0x10,
  NO_INDEX_USED: 0x20,
  CURSOR_EXISTS: 0x40,
  LAST_ROW_SENT: 0x80,
  DB_DROPPED: 0x100,
  NO_BACKSLASH_ESCAPES: 0x200,
  METADATA_CHANGED: 0x400,
  QUERY_WAS_SLOW: 0x800,
  PS_OUT_PARAMS: 0x1000,
  IN_TRANS_READONLY: 0x2000,
  SESSION_STATE_CHANGED: 0x4000,
} as const

/** Command bytes of the command phase ("2 - Text Protocol", "3 - Binary Protocol"). */
export const Command = {
  QUIT: 0x01,
  INIT_DB: 0x02,
  QUERY: 0x03,
  PING: 0x0e,
  STMT_PREPARE: 0x16,
  STMT_EXECUTE: 0x17,
  STMT_SEND_LONG_DATA: 0x18,
  STMT_CLOSE: 0x19,
  STMT_RESET: 0x1a,
  SET_OPTION: 0x1b,
  STMT_FETCH: 0x1c,
  RESET_CONNECTION: 0x1f,
  STMT_BULK_EXECUTE: 0xfa,
} as const

/** Column (field) types ("Result Set Packets", Field types). */
export const ColumnType = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TIME2: 19,
  /** MySQL 5.7+ JSON. MariaDB sends JSON columns as LONGTEXT/BLOB with format=json instead. */
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const

/** Column definition flags ("Result Set Packets", Field details flag). */
export const ColumnFlag = {
  NOT_NULL: 1,
  PRIMARY_KEY: 2,
  UNIQUE_KEY: 4,
  MULTIPLE_KEY: 8,
  BLOB: 16,
  UNSIGNED: 32,
  ZEROFILL: 64,
  BINARY: 128,
  ENUM: 256,
  AUTO_INCREMENT: 512,
  TIMESTAMP: 1024,
  SET: 2048,
} as const

/** Collation 63 marks binary data: BLOB/BINARY/VARBINARY, BIT, GEOMETRY (not text). */
export const BINARY_COLLATION = 63
/** utf8mb4_general_ci: the handshake's collation byte (one byte: ids above 255 need SET NAMES). */
export const UTF8MB4_GENERAL_CI = 45

/** The largest payload of one packet; a payload of this length continues in the next packet. */
export const MAX_PACKET_PAYLOAD = 0xffffff

/** Cursor types of COM_STMT_EXECUTE's flags byte. */
export const CursorType = { NO_CURSOR: 0, READ_ONLY: 1 } as const

/** The statement id that means "the statement prepared last" (MariaDB 10.2+ pipelining). */
export const LAST_PREPARED_STATEMENT = 0xffffffff
