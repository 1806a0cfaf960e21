/**
 * Ansible's regex filters (regex_replace, regex_search, regex_findall, regex_escape) over tend's
 * linear-time Python `re` (regex.ts): same arguments, same results, no catastrophic backtracking.
 */
import { define, type CallableTable } from '../callable.js'
import { TemplateError } from '../errors.js'
import * as re from '../regex.js'
import { truthy } from '../values.js'
import { ownKwargs, toText } from './util.js'

const flagsOf = (ignorecase: unknown, multiline: unknown): number => (truthy(ignorecase) ? re.IGNORECASE : 0) | (truthy(multiline) ? re.MULTILINE : 0)

function patternText(p: unknown): string {
  if (typeof p !== 'string') throw new TemplateError('first argument must be string or compiled pattern')
  return p
}

function regexSearch(value: unknown, regex: unknown, args: readonly unknown[], given: Readonly<Record<string, unknown>>): unknown {
  const kwargs = ownKwargs(given)
  const text = toText(value)
  const groups: (string | number)[] = []
  for (const arg of args) {
    const a = toText(arg)
    if (a.startsWith('\\g')) {
      const m = /^\\g<(\S+)>/.exec(a)
      if (!m) throw new TemplateError("'NoneType' object has no attribute 'group'")
      groups.push(m[1]!)
    } else if (a.startsWith('\\')) {
      const m = /^\\(\d+)/.exec(a)
      if (!m) throw new TemplateError("'NoneType' object has no attribute 'group'")
      groups.push(Number(m[1]))
    } else throw new TemplateError('Unknown argument')
  }
  const m = re.search(re.compile(patternText(regex), flagsOf(kwargs.ignorecase, kwargs.multiline)), text)
  if (!m) return null
  if (!groups.length) return m.values[0]
  return groups.map((g) => re.group(m, g))
}

export const regexFilters: CallableTable = {
  regex_replace: define(['value', 'pattern', 'replacement', 'ignorecase', 'multiline'], (ctx, value = '', pattern = '', replacement = '', ignorecase = false, multiline = false) => {
    const text = toText(value)
    ctx.charge(text.length)
    return re.sub(re.compile(patternText(pattern), flagsOf(ignorecase, multiline)), toText(replacement), text, 0, (n) => ctx.charge(n))
  }),
  regex_search: define(['value', 'regex', '*args', '**kwargs'], (ctx, value, regex, args, kwargs) => {
    ctx.charge(toText(value).length)
    return regexSearch(value, regex, args as unknown[], kwargs as Record<string, unknown>)
  }),
  regex_findall: define(['value', 'regex', 'multiline', 'ignorecase'], (ctx, value, regex, multiline = false, ignorecase = false) => {
    const text = toText(value)
    ctx.charge(text.length)
    return re.findall(re.compile(patternText(regex), flagsOf(ignorecase, multiline)), text, (n) => ctx.charge(n))
  }),
  regex_escape: define(['string', 're_type'], (_ctx, string, reType = 'python') => {
    const text = toText(string)
    if (reType === 'python') return re.escape(text)
    if (reType === 'posix_basic') return text.replace(/[\].[^$*\\]/g, (c) => `\\${c}`)
    if (reType === 'posix_extended') throw new TemplateError(`Regex type (${toText(reType)}) not yet implemented`)
    throw new TemplateError(`Invalid regex type (${toText(reType)})`)
  }),
}
