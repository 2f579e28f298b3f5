// oclif renders every text of a help page (each flag's description, each example) with ejs.render(text, data),
// which compiles each text into a new function: ~20 ms CPU of `announce --help`. lanmsg's texts are plain or hold
// `<%= config.bin %>`-style tags only; this renders those two forms exactly as ejs.render(text, data) does, and
// leaves every other text to ejs (scripts/bundle-cli.mjs puts it in front of ejs in the bundle's oclif).

/** The names that ejs.render(text, data) takes from data as its options (they would change how it renders). */
const EJS_OPTIONS_IN_DATA = [
  'delimiter',
  'scope',
  'context',
  'debug',
  'compileDebug',
  '_with',
  'rmWhitespace',
  'strict',
  'filename',
  'async',
]
const TAG = /<%= ([A-Za-z_$][\w$]*)((?:\.[A-Za-z_$][\w$]*)*) %>/g
// Names that an ejs tag would read as an expression, not as a variable of data.
const NOT_A_VARIABLE = new Set(['this', 'new', 'typeof', 'void', 'delete', 'await', 'yield', 'super', 'null'])
const ESCAPES: Record<string, string> = {'"': '&#34;', '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;'}

/** Text between tags: ejs copies it as it is, unless it holds a delimiter of its own (`<%`, `%>`). */
const plain = (text: string) => !text.includes('<%') && !text.includes('%>')

/**
 * The text rendered as ejs.render(text, data) would (data's own enumerable members are its variables, values
 * escaped for XML), or undefined for a text that needs ejs itself: other tags, a name data does not hold, a
 * path through null or undefined (ejs throws there), or data that carries ejs options.
 */
export function renderPlainTemplate(text: unknown, data: object): string | undefined {
  if (typeof text !== 'string') return undefined
  if (plain(text) && !hasEjsOptions(data)) return text
  let out = ''
  let last = 0
  for (const match of text.matchAll(TAG)) {
    const value = valueAt(data, match[1], match[2])
    if (value === undefined || !plain(text.slice(last, match.index))) return undefined
    out += text.slice(last, match.index) + value
    last = match.index + match[0].length
  }

  if (last === 0 || !plain(text.slice(last)) || hasEjsOptions(data)) return undefined
  return out + text.slice(last)
}

function hasEjsOptions(data: object): boolean {
  return EJS_OPTIONS_IN_DATA.some((name) => Object.hasOwn(data, name) && (data as never)[name] !== undefined)
}

/** The escaped text of data[root].path..., or undefined where ejs would not read it that way. */
function valueAt(data: object, root: string, path: string): string | undefined {
  // ejs copies data's own enumerable members, but for these two, into the scope of the template
  if (root === '__proto__' || root === 'constructor' || NOT_A_VARIABLE.has(root)) return undefined
  if (!Object.prototype.propertyIsEnumerable.call(data, root)) return undefined
  let value: unknown = (data as Record<string, unknown>)[root]
  for (const name of path.split('.').slice(1)) {
    if (value === null || value === undefined) return undefined
    value = (value as Record<string, unknown>)[name]
  }

  return value === null || value === undefined ? '' : String(value).replaceAll(/[&<>'"]/g, (c) => ESCAPES[c])
}
