import type { Compilable, CompiledQuery, Kysely, RawBuilder } from 'kysely'
import type { Database } from './schema.ts'

/** Stands for the i-th argument while a reusable query is compiled. */
class Slot {
  constructor(readonly index: number) {}
}

export type ReusableQuery<Args extends readonly unknown[], Row> = (
  db: Kysely<Database>,
  ...args: Args
) => Promise<Row[]>

/**
 * A query built and compiled once per database handle, then run with new arguments: Kysely
 * would rebuild its operation tree and recompile the same SQL on every call, which for the
 * lookups every request makes (API key, workspace, list page, link grant) cost more CPU than
 * SQLite spends answering them. `build` receives stand-ins for the arguments, so its SQL must not
 * depend on their values (no `in` lists, no arithmetic on them): pass every value it needs.
 */
export function reusableQuery<Args extends readonly unknown[], Row>(
  build: (db: Kysely<Database>, ...args: Args) => Compilable<Row> | RawBuilder<Row>,
): ReusableQuery<Args, Row> {
  const compiled = new WeakMap<Kysely<Database>, CompiledQuery<Row>>()
  return async (db, ...args) => {
    let template = compiled.get(db)
    if (!template) {
      const slots = args.map((_, index) => new Slot(index)) as unknown as Args
      const built = build(db, ...slots)
      template = 'isRawBuilder' in built ? built.compile(db) : built.compile()
      compiled.set(db, template)
    }
    const parameters = template.parameters.map((value) =>
      value instanceof Slot ? args[value.index] : value,
    )
    const { rows } = await db.executeQuery<Row>({ ...template, parameters })
    return rows
  }
}
