/**
 * The OK packet's info after an UPDATE, "Rows matched: 2  Changed: 1  Warnings: 0"
 * (ER_UPDATE_INFO). The words follow the server's lc_messages; the three numbers keep their order.
 */
const UPDATE_INFO = /^\D*(\d+)\D+\d+\D+\d+\D*$/

/**
 * The rows an UPDATE matched, read from its info text, or undefined for any other info. mysql2
 * asks for CLIENT_FOUND_ROWS, so its `affectedRows` after an UPDATE is this number; covet does
 * not, so its `affectedRows` is the rows changed (MySQL 8.4 C API 5.4.1, mysql_affected_rows()).
 */
export function rowsMatched(info: string): bigint | undefined {
  const matched = UPDATE_INFO.exec(info)
  return matched === null ? undefined : BigInt(matched[1] as string)
}
