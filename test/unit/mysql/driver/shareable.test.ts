import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isProvablyShareable } from '../../../../src/mysql/driver/shareable.js'

// Issue 16: MySqlDriver shares what it can prove session-neutral, by MySQL's lexical rules.
describe('isProvablyShareable (MySQL)', () => {
  it('shares one plain SELECT, WITH, VALUES or TABLE calling only known built-ins', () => {
    for (const sql of [
      'SELECT id, name, email, score, active FROM bench_users WHERE id = ?',
      'select * from users where id = ?;',
      'select 1 ;  -- trailing comment\n',
      'select 1 # a comment ; begin\n',
      'select /* ; begin; */ 1',
      'WITH RECURSIVE x AS (select 1) select * from x',
      'values (1), (2)',
      'table users',
      'select \'a;b\', "semi;colon", `we;ird` from t',
      'select \'it\'\'s\', "say ""hi""" from t',
      'select count(*), lower(name), coalesce(a, b), group_concat(x separator ",") from t group by 2',
      'select row_number() over (partition by a order by b) from t',
      'select cast(x as decimal(10,2)), convert(y, char(20)), json_extract(j, "$.a") from t',
      'select date_add(now(), interval 1 day), unix_timestamp(), x from t where d > curdate()',
      'select * from t where id in (select 2) and exists (select 1 from u where u.id = t.id)',
      'select 1 --1\n',
      "select x'41', b'1', 0x41, _utf8mb4'ü', n'x', 1.5e3, t.* from db.t",
      'select connection_id()',
      'select 1 union all (select 2) order by 1 limit 10',
    ]) {
      assert.equal(isProvablyShareable(sql), true, sql)
    }
  })

  it('refuses session state, locks, waits, writes, several statements and unknown calls', () => {
    for (const sql of [
      "select get_lock('x', 10)",
      "SELECT GET_LOCK ('x', 10)",
      "select /* gap */ get_lock /* gap */ ('x', 1)",
      "select release_lock('x')",
      "select is_free_lock('x')",
      'select sleep(1)',
      "select benchmark(1e9, md5('x'))",
      'select last_insert_id(5)',
      'select found_rows()',
      'select sql_calc_found_rows * from t limit 1',
      'select row_count()',
      'select nextval(s)',
      'select next value for s',
      'select lastval(s)',
      'select @n := 1',
      'select @n',
      'select @@session.sql_mode',
      'select 1 into @v',
      "select * from t into outfile '/tmp/x'",
      'select * from t for update',
      'select * from t lock in share mode',
      'select * from t for system_time as of now()',
      'select db.f(1)',
      'select db . f (1)',
      'select `f`(1)',
      'select "f"(1)',
      'select my_udf(1)',
      "select insert('abc', 1, 1, 'x')",
      "select load_file('/etc/passwd')",
      'select 1; begin',
      'select 1;begin;',
      "select 'a\\'; begin; -- '",
      'select /*! sleep(1) */ 1',
      'select /*M!100000 sleep(1) */ 1',
      'select /*+ max_execution_time(1) */ 1',
      'select 1 /* open',
      "select 'open",
      'select `open',
      'set @x = 1',
      'set names utf8mb4',
      'begin',
      'start transaction',
      'lock tables t write',
      'do sleep(1)',
      'call p()',
      'insert into t values (1)',
      'update t set a = 1',
      'delete from t',
      'replace into t values (1)',
      'show tables',
      'handler t open',
      '(select 1)',
      '',
      '  ;',
      '-- only a comment\n',
    ]) {
      assert.equal(isProvablyShareable(sql), false, sql)
    }
  })

  it('gives the same answer from its cache', () => {
    const sql = 'select id from t where id = ?'
    assert.equal(isProvablyShareable(sql), true)
    assert.equal(isProvablyShareable(sql), true)
    assert.equal(isProvablyShareable("select get_lock('x', 1)"), false)
    assert.equal(isProvablyShareable("select get_lock('x', 1)"), false)
  })
})
