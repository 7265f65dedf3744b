/**
 * One schema change. `sql` may hold several statements; tables are named `{schema}.name`
 * (bound to the schema given to `migrate()`), and it takes no parameters. A released
 * migration never changes: a fix is a new migration.
 */
export interface Migration {
  /** Position in the order of application; unique. Part A of the package owns 1-99, part B 101-199. */
  readonly version: number;
  /** A short kebab-case name, recorded with the version. */
  readonly name: string;
  readonly sql: string;
}
