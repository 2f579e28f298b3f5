// Feiqiu rich-text directive at the end of a message, e.g. `{/font;-16 0 … 微软雅黑 8404992;}` (§6.2).

const OPEN = '{/font;'

/** Splits a trailing `{/font;…}` off the text; `font` is absent when there is none. */
export function splitFont(text: string): {font?: string; text: string} {
  if (!text.endsWith('}')) return {text}
  const at = text.lastIndexOf(OPEN)
  if (at === -1 || text.indexOf('}', at) !== text.length - 1) return {text}
  return {text: text.slice(0, at), font: text.slice(at)}
}
