/**
 * Words that must be quoted when used as identifiers in at least one supported dialect: the
 * reserved words of SQL:2016 that PostgreSQL reserves (PostgreSQL docs, Appendix C), MySQL 8.0's
 * reserved words (MySQL manual 11.3), SQLite's keywords that cannot name columns, and T-SQL's
 * reserved keywords. Quoting a word that only one dialect reserves is harmless in the others,
 * so one list serves all four and a name compiles to the same identifier everywhere.
 */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(
  `
  abort accessible add all alter analyze and any array as asc asensitive authorization backup before
  begin between bigint binary blob both break browse bulk by call cascade case cast change char
  character check checkpoint close clustered coalesce collate column commit compute condition
  constraint contains continue convert create cross current current_date current_role current_time
  current_timestamp current_user cursor database databases day_hour day_microsecond day_minute
  day_second dbcc deallocate dec decimal declare default deferrable delayed delete deny desc describe
  deterministic disk distinct distinctrow distributed div do double drop dual dump each else elseif
  enclosed end errlvl escape escaped except exclusive exec execute exists exit explain false fetch
  file fillfactor float for force foreign freetext from full fulltext function generated get glob
  goto grant group groups having high_priority holdlock hour_microsecond hour_minute hour_second
  identity if ignore ilike immediate in index infile inner inout insensitive insert int integer
  intersect interval into is isnull iterate join key keys kill lateral leading leave left like limit
  linear lines load localtime localtimestamp lock long loop low_priority match merge minute_second
  mod modifies national natural nocheck nonclustered not notnull nowait null nullif numeric of off
  offset offsets on only open opendatasource openquery openrowset openxml optimize option optionally
  or order out outer outfile over partition percent pivot placing plan precision primary print proc
  procedure public raiserror range read reads readtext real reconfigure recursive references regexp
  reindex release rename repeat replace replication require restrict return returning revert revoke
  right rlike row rows rowcount rule save schema schemas securityaudit select semantickeyquery
  sensitive separator session_user set setuser show shutdown signal similar smallint some spatial
  specific sql sqlexception sqlstate sqlwarning ssl start starting statistics stored
  straight_join system_user table tablesample temp temporary terminated textsize then tinyint to
  top trailing tran transaction trigger true truncate try_convert tsequal undo union unique
  unlock unpivot unsigned update updatetext usage use user using utc_date utc_time utc_timestamp
  vacuum values varbinary varchar varying variadic verbose view virtual waitfor when where while
  window with within writetext xor year_month zerofill
  `
    .split(/\s+/)
    .filter((w) => w.length > 0),
)
