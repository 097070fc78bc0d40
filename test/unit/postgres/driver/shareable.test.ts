import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isProvablyShareable } from '../../../../src/postgres/driver/shareable.js'

// Issue 14: sharing by an SQL prefix regex pipelined session-changing statements with other callers.
describe('isProvablyShareable', () => {
  it('shares one plain SELECT, VALUES, TABLE or WITH calling only known built-ins', () => {
    for (const sql of [
      'select id, name, email, score, active from bench_users where id = $1',
      'SELECT * FROM users WHERE id = $1;',
      'select 1 ;  -- trailing comment\n',
      '  WITH x AS (select 1) select * from x',
      'values (1), (2)',
      'table users',
      'select \'a;b\', $$;$$, $q$ ; begin; $q$, "semi;colon" from t',
      'select /* ; begin; */ 1 -- ; begin\n',
      "select e'\\'; begin; --' as s",
      'select count(*), lower(name), coalesce(a, b) from t group by 2',
      'select row_number() over (partition by a order by b), count(*) filter (where a > 1) from t',
      'select x::numeric(10,2), cast(y as varchar(20)) from t',
      'select extract(epoch from now()), date_trunc($1, at), trim(both from s) from t',
      'select * from t where id = any($1::int[]) and exists (select 1 from u where u.id in (select 2))',
      'select pg_catalog.lower($1)',
      'select * from unnest($1::text[]) with ordinality',
      'select jsonb_build_object($1::text, $2::int), array[1, 2]',
      "select interval '1 day', date '2024-01-01', t.* from t",
      'select 1 union all (select 2) order by 1 limit (10)',
    ]) {
      assert.equal(isProvablyShareable(sql), true, sql)
    }
  })

  it('refuses the hostile list: session state, locks, writes, several statements, unknown calls', () => {
    for (const sql of [
      // session-level locks and settings
      'select pg_advisory_lock(1)',
      'select pg_try_advisory_lock(1)',
      'select pg_advisory_lock_shared(1)',
      'select pg_advisory_xact_lock(1)',
      'SeLeCt PG_ADVISORY_LOCK(1)',
      'select pg_advisory_lock /* gap */ (1)',
      'select pg_catalog . pg_advisory_lock (1)',
      'select "pg_advisory_lock"(1)',
      "select set_config('search_path', 'evil', false)",
      "select pg_catalog.set_config('statement_timeout', '1', false)",
      "select current_setting('application_name')",
      "select nextval('s')",
      "select currval('s')",
      "select setval('s', 1)",
      'select lastval()',
      'select pg_sleep(10)',
      "select pg_notify('c', 'p')",
      'select lo_open(1, 262144)',
      "select dblink_exec('x')",
      'select pg_terminate_backend(1)',
      // several statements
      'select 1; begin',
      'select 1;begin;',
      'select 1; commit',
      'select $a$ $b$ ; $a$ ; begin',
      'select 1 -- x\n; begin',
      "select '\\'; begin; --'", // a backslash in a plain string: ambiguous without standard_conforming_strings
      // writes, SELECT INTO, locking clauses
      'with x as (delete from t returning *) select * from x',
      'with x as (update t set a = 1 returning *) select * from x',
      'with x as (insert into t values (1) returning *) select * from x',
      'with x as (merge into t using u on true when matched then delete) select 1',
      'select * into new_table from t',
      'select * from t for update',
      'select * from t for no key update',
      'select * from t for share',
      'select * from t for key share skip locked',
      // user-defined or qualified functions
      'select my_func($1)',
      'select public.lower($1)',
      'select s.f(1) from t s',
      // not a query
      'insert into t values (1)',
      'update t set a = 1',
      'delete from t',
      'set search_path = x',
      'begin',
      'listen x',
      'create temp table t (a int)',
      'declare c cursor for select 1',
      'prepare p as select 1',
      'discard all',
      'reset all',
      'lock table t',
      'copy t from stdin',
      'explain analyze select 1',
      '(select 1)',
      'selector',
      '',
      ';',
      // unterminated: the scanner cannot tell where they end
      "select 'abc",
      'select "abc',
      'select $x$ abc',
      'select /* abc',
    ]) {
      assert.equal(isProvablyShareable(sql), false, sql)
    }
  })

  it('answers the same for a text it has seen (the verdict cache)', () => {
    const sql = 'select pg_advisory_lock($1)'
    assert.equal(isProvablyShareable(sql), false)
    assert.equal(isProvablyShareable(sql), false)
    for (let i = 0; i < 2000; i++) isProvablyShareable(`select ${i}`)
    assert.equal(isProvablyShareable(sql), false)
    assert.equal(isProvablyShareable('select 1'), true)
  })
})
