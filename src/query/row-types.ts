/**
 * The builder's type-level row (issue 17): nothing here exists at run time.
 *
 * `QueryBuilder<T, Scope, Out>`: `T` is what the builder was typed with, `Scope` maps the aliases
 * of its FROM and JOIN tables to their rows, `Out` is the row select()/returning() built so far.
 * `T` is one of three things:
 * - untyped (`Record<string, unknown>`, the default): any names, rows of unknown columns;
 * - a row (`QueryBuilder<User>`): plain names are User's columns, `x.col` any table's;
 * - a table map (`QueryBuilder<DB>`, every property a row): table names are DB's keys, and
 *   from()/join() bring aliases into scope, whose columns select() checks as `alias.col`.
 */
import type { RowTypeOf } from '../internal/row-type.js'
import type { AliasedExpression, Expression } from './expressions.js'

declare const unselected: unique symbol
/** The `Out` of a builder nothing was selected on yet: its rows are `SELECT *` rows. */
export interface Unselected {
  readonly [unselected]: true
}

type NotARow = Date | Uint8Array | readonly unknown[] | ((...args: never[]) => unknown)
type Untyped<T> = string extends keyof T ? true : false

/** True when every property of T is itself a row (an object, not an array, Date or Buffer). */
export type IsTableMap<T> =
  Untyped<T> extends true
    ? false
    : [keyof T] extends [never]
      ? false
      : {
            [K in keyof T]-?: T[K] extends NotARow ? false : T[K] extends object ? true : false
          }[keyof T] extends true
        ? true
        : false

export type Mode<T> = Untyped<T> extends true ? 'untyped' : IsTableMap<T> extends true ? 'tables' : 'row'

/** The table names a typed builder accepts (none unless T is a table map). */
export type TableName<T> = Mode<T> extends 'tables' ? keyof T & string : never

export type Nullable<R> = { [K in keyof R]: R[K] | null }
type NullableScope<S> = { [A in keyof S]: Nullable<S[A]> }

export type AddScope<S, A extends string, R> = Simplify<S & { [K in A]: R }>
type Simplify<O> = { [K in keyof O]: O[K] } & {}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never
type IsUnion<U> = [U] extends [UnionToIntersection<U>] ? false : true

/** The row a builder yields: what was selected, or the `SELECT *` row. */
export type ResultRow<T, S, Out> = Out extends Unselected
  ? Mode<T> extends 'row'
    ? T
    : [keyof S] extends [never]
      ? Record<string, unknown>
      : IsUnion<keyof S> extends true
        ? Record<string, unknown>
        : S[keyof S]
  : Out

/** The row a subquery used as a FROM or JOIN source yields. */
export type SourceRow<Q> = RowTypeOf<Q, Record<string, unknown>>

type As = ' as ' | ' AS '
type Columns<R> = keyof R & string

/** The names select()/returning() accept as strings in each mode. */
type ColumnString<T, S> =
  Mode<T> extends 'row'
    ? Columns<T> | `${string}.${Columns<T>}` | `${string}.*`
    : { [A in keyof S & string]: Columns<S[A]> | `${A}.${Columns<S[A]>}` | `${A}.*` }[keyof S & string]
type Named<C extends string> = C | `${C}${As}${string}`

/** What select()/returning() accept: untyped builders take anything a SelectArg is. */
export type Selector<T, S> =
  Mode<T> extends 'untyped'
    ? string | Expression | AliasedExpression
    : Named<ColumnString<T, S>> | Expression | AliasedExpression

/** A column's type: `alias.col`, `x.col` in row mode, or a plain name found in scope. */
type ColumnType<T, S, C extends string> =
  Mode<T> extends 'row'
    ? C extends `${string}.${infer Col}`
      ? Col extends keyof T
        ? T[Col]
        : unknown
      : C extends keyof T
        ? T[C]
        : unknown
    : C extends `${infer A}.${infer Col}`
      ? A extends keyof S
        ? Col extends keyof S[A]
          ? S[A][Col]
          : unknown
        : unknown
      : { [A in keyof S]: C extends keyof S[A] ? S[A][C] : never }[keyof S]

type StarRow<T, S, C extends string> =
  Mode<T> extends 'row' ? T : C extends `${infer A}.*` ? (A extends keyof S ? S[A] : never) : never

type LastPart<C extends string> = C extends `${string}.${infer Rest}` ? LastPart<Rest> : C

/** The columns one selector adds to the row. Unaliased expressions add none: name them with as(). */
type SelectedBy<T, S, X> =
  X extends AliasedExpression<infer A>
    ? string extends A
      ? unknown
      : { [K in A]: unknown }
    : X extends Expression
      ? unknown
      : X extends `${infer C}${As}${infer A}`
        ? { [K in A]: ColumnType<T, S, C> }
        : X extends `${string}*`
          ? StarRow<T, S, X & string>
          : X extends string
            ? { [K in LastPart<X>]: ColumnType<T, S, X> }
            : unknown

/** `Out` after selecting `X` (a union of selectors). */
export type Select<T, S, Out, X> = Simplify<
  (Out extends Unselected ? unknown : Out) & UnionToIntersection<SelectedBy<T, S, X>>
>

export type JoinScope<S, A extends string, R, J> = J extends 'left'
  ? AddScope<S, A, Nullable<R>>
  : J extends 'right'
    ? AddScope<NullableScope<S>, A, R>
    : J extends 'full'
      ? AddScope<NullableScope<S>, A, Nullable<R>>
      : AddScope<S, A, R>

/** A table as from()/join()/update()/delete() take it in a table map: `'users'` or `'users as u'`. */
export type TableRef<T> = TableName<T> | `${TableName<T>}${As}${string}`
/** The row of the table a TableRef names. */
export type RefRow<T, X> = X extends `${infer N}${As}${string}`
  ? N extends keyof T
    ? T[N]
    : never
  : X extends keyof T
    ? T[X]
    : never
/** The alias a TableRef brings into scope: the explicit one, the `as` one, or the table name. */
export type RefAlias<X, A> = [A] extends [never]
  ? X extends `${string}${As}${infer Alias}`
    ? Alias
    : X & string
  : A & string
