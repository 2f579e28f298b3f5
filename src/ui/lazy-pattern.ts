// A regular expression with Unicode properties (\p{…}) costs V8 about a million instructions to create, which a
// module paid on load even when nothing was tested (a complete announce tested none of ten): made at first use.

/** A pattern with RegExp's test(), created by `make` at the first test. */
export interface LazyPattern {
  test(s: string): boolean
}

export function lazyPattern(make: () => RegExp): LazyPattern {
  let pattern: RegExp | undefined
  return {test: (s) => (pattern ??= make()).test(s)}
}
