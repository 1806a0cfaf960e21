/**
 * Regular expressions written by users (`--limit ~…`, `matches:`, `absent:`) compiled with RE2's
 * linear-time engine (re2js): matching time grows with the text, never exponentially, so no
 * pattern and no host output can hang tend (`^(a+)+$` over a long line included).
 */
import { RE2JS } from 're2js'

export interface LinearRegex {
  /** Whether the pattern matches anywhere in the text (anchors in the pattern still apply). */
  test(text: string): boolean
  readonly source: string
}

/** Compiles a pattern; throws an Error naming the construct RE2 does not have (backreferences, lookaround). */
export function compileLinear(pattern: string, options: { ignoreCase?: boolean; multiline?: boolean } = {}): LinearRegex {
  const flags = (options.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) | (options.multiline ? RE2JS.MULTILINE : 0)
  let re: RE2JS
  try {
    re = RE2JS.compile(pattern, flags)
  } catch (error) {
    const message = (error as Error).message
    const why = /\(\?[=!<]/.test(pattern) ? ' (lookahead and lookbehind are not supported: tend matches in linear time)'
      : /\\[1-9]/.test(pattern) ? ' (backreferences are not supported: tend matches in linear time)' : ''
    throw new Error(`invalid regular expression ${JSON.stringify(pattern)}: ${message}${why}`)
  }
  return { source: pattern, test: (text) => re.matcher(text).find() }
}
