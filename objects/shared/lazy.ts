// A value built on first use and then kept, for parts of a live object that most wakes never need.

/** Calling it builds the value the first time and returns the kept one after; `peek` reads it without building. */
export interface Lazy<T> {
  (): T;
  peek(): T | undefined;
}

export function lazy<T>(build: () => T): Lazy<T> {
  let value: T | undefined;
  const get = () => {
    value ??= build();
    return value;
  };
  return Object.assign(get, { peek: () => value });
}
