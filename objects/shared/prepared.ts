// Prepared Drizzle statements built on first use and kept: building a Drizzle query costs more than running it.

/** The statements of `builders`, each built by its builder the first time it is read, then kept. */
export function preparedOnce<T extends Record<string, () => unknown>>(
  builders: T,
): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const built = new Map<keyof T, unknown>();
  const out = {};
  for (const key of Object.keys(builders) as (keyof T & string)[]) {
    Object.defineProperty(out, key, {
      enumerable: true,
      get() {
        if (!built.has(key)) built.set(key, builders[key]?.());
        return built.get(key);
      },
    });
  }
  return out as { readonly [K in keyof T]: ReturnType<T[K]> };
}

/** One set of statements per database handle (a store built again over the same handle shares them). */
export function preparedPerDb<D extends object, S>(build: (db: D) => S): (db: D) => S {
  const byDb = new WeakMap<D, S>();
  return (db) => {
    let statements = byDb.get(db);
    if (statements === undefined) {
      statements = build(db);
      byDb.set(db, statements);
    }
    return statements;
  };
}
