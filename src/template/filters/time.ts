/**
 * Ansible's strftime (time.strftime in the C locale, local time or UTC) and to_datetime
 * (datetime.strptime). tend has no datetime value: to_datetime returns the datetime's str()
 * (`2024-05-01 12:00:00`), so arithmetic on it (`(a - b).days`) is not available.
 */
import { define, type CallableTable } from '../callable.js'
import { TemplateError } from '../errors.js'
import { numberOf, str, truthy } from '../values.js'
import { parsePyFloat } from './numbers.js'
import { toText } from './util.js'

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

interface Parts {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  weekday: number
  yearday: number
  offsetMinutes: number
  zone: string
}

function partsOf(epochSeconds: number, utc: boolean): Parts {
  const d = new Date(Math.floor(epochSeconds) * 1000)
  const get = utc
    ? { y: d.getUTCFullYear(), mo: d.getUTCMonth(), da: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), w: d.getUTCDay() }
    : { y: d.getFullYear(), mo: d.getMonth(), da: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds(), w: d.getDay() }
  const start = Date.UTC(get.y, 0, 1)
  const yearday = Math.floor((Date.UTC(get.y, get.mo, get.da) - start) / 86400000) + 1
  const offsetMinutes = utc ? 0 : -d.getTimezoneOffset()
  const zone = utc ? 'UTC' : (new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '')
  return { year: get.y, month: get.mo + 1, day: get.da, hour: get.h, minute: get.mi, second: get.s, weekday: get.w, yearday, offsetMinutes, zone }
}

const pad = (n: number, w = 2, c = '0'): string => String(n).padStart(w, c)

function isoWeek(p: Parts): { year: number; week: number } {
  const date = new Date(Date.UTC(p.year, p.month - 1, p.day))
  const day = (p.weekday + 6) % 7
  date.setUTCDate(date.getUTCDate() - day + 3)
  const firstThursday = new Date(Date.UTC(date.getUTCFullYear(), 0, 4))
  const week = 1 + Math.round(((date.getTime() - firstThursday.getTime()) / 86400000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7)
  return { year: date.getUTCFullYear(), week }
}

/** glibc strftime in the C locale. */
export function strftime(format: string, epochSeconds: number, utc: boolean): string {
  const p = partsOf(epochSeconds, utc)
  const hour12 = p.hour % 12 === 0 ? 12 : p.hour % 12
  const one = (c: string): string => {
    switch (c) {
      case 'a': return DAYS[p.weekday]!.slice(0, 3)
      case 'A': return DAYS[p.weekday]!
      case 'b': case 'h': return MONTHS[p.month - 1]!.slice(0, 3)
      case 'B': return MONTHS[p.month - 1]!
      case 'c': return `${one('a')} ${one('b')} ${pad(p.day, 2, ' ')} ${one('T')} ${p.year}`
      case 'C': return pad(Math.floor(p.year / 100))
      case 'd': return pad(p.day)
      case 'D': return `${one('m')}/${one('d')}/${one('y')}`
      case 'e': return pad(p.day, 2, ' ')
      case 'F': return `${p.year}-${one('m')}-${one('d')}`
      case 'g': return pad(isoWeek(p).year % 100)
      case 'G': return String(isoWeek(p).year)
      case 'H': return pad(p.hour)
      case 'I': return pad(hour12)
      case 'j': return pad(p.yearday, 3)
      case 'k': return pad(p.hour, 2, ' ')
      case 'l': return pad(hour12, 2, ' ')
      case 'm': return pad(p.month)
      case 'M': return pad(p.minute)
      case 'n': return '\n'
      case 'p': return p.hour < 12 ? 'AM' : 'PM'
      case 'P': return p.hour < 12 ? 'am' : 'pm'
      case 'r': return `${one('I')}:${one('M')}:${one('S')} ${one('p')}`
      case 'R': return `${one('H')}:${one('M')}`
      case 's': return String(Math.floor(epochSeconds))
      case 'S': return pad(p.second)
      case 't': return '\t'
      case 'T': return `${one('H')}:${one('M')}:${one('S')}`
      case 'u': return String(p.weekday === 0 ? 7 : p.weekday)
      case 'U': return pad(Math.floor((p.yearday - 1 - p.weekday + 7) / 7))
      case 'V': return pad(isoWeek(p).week)
      case 'w': return String(p.weekday)
      case 'W': return pad(Math.floor((p.yearday - 1 - ((p.weekday + 6) % 7) + 7) / 7))
      case 'x': return one('D')
      case 'X': return one('T')
      case 'y': return pad(p.year % 100)
      case 'Y': return String(p.year)
      case 'z': {
        const o = Math.abs(p.offsetMinutes)
        return `${p.offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(o / 60))}${pad(o % 60)}`
      }
      case 'Z': return p.zone
      case '%': return '%'
      default: return `%${c}`
    }
  }
  return format.replace(/%(.)/gs, (_m, c: string) => one(c))
}

/** datetime.strptime for the common directives; the result as str(datetime). */
export function strptime(text: string, format: string): string {
  let pattern = '^'
  const fields: string[] = []
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!
    if (c !== '%') {
      pattern += /\s/.test(c) ? '\\s+' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      continue
    }
    const d = format[++i]
    const numeric: Readonly<Record<string, string>> = { Y: '(\\d{4})', m: '(\\d{1,2})', d: '(\\d{1,2})', H: '(\\d{1,2})', M: '(\\d{1,2})', S: '(\\d{1,2})', y: '(\\d{2})', f: '(\\d{1,6})', j: '(\\d{1,3})', I: '(\\d{1,2})' }
    if (d === '%') pattern += '%'
    else if (d !== undefined && Object.hasOwn(numeric, d)) {
      pattern += numeric[d]
      fields.push(d)
    } else if (d === 'b' || d === 'B') {
      pattern += '([A-Za-z]+)'
      fields.push('b')
    } else if (d === 'p') {
      pattern += '(AM|PM|am|pm)'
      fields.push('p')
    } else if (d === 'a' || d === 'A') pattern += '[A-Za-z]+'
    else throw new TemplateError(`to_datetime: tend does not read the %${d ?? ''} directive`)
  }
  const m = new RegExp(`${pattern}$`).exec(text)
  if (!m) throw new TemplateError(`time data '${text}' does not match format '${format}'`)
  const v = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0, f: 0, pm: false as boolean | null }
  fields.forEach((f, k) => {
    const s = m[k + 1]!
    if (f === 'y') v.Y = Number(s) + (Number(s) < 69 ? 2000 : 1900)
    else if (f === 'b') {
      const month = MONTHS.findIndex((name) => name.toLowerCase() === s.toLowerCase() || name.slice(0, 3).toLowerCase() === s.toLowerCase())
      if (month === -1) throw new TemplateError(`time data '${text}' does not match format '${format}'`)
      v.m = month + 1
    } else if (f === 'p') v.pm = s.toLowerCase() === 'pm'
    else if (f === 'f') v.f = Number(s.padEnd(6, '0'))
    else if (f === 'I') v.H = Number(s) % 12
    else if (f !== 'j') (v as Record<string, unknown>)[f] = Number(s)
  })
  if (v.pm) v.H += 12
  const days = new Date(Date.UTC(v.Y, v.m, 0)).getUTCDate()
  if (v.m < 1 || v.m > 12 || v.d < 1 || v.d > days || v.H > 23 || v.M > 59 || v.S > 61) throw new TemplateError(`time data '${text}' does not match format '${format}'`)
  const date = `${String(v.Y).padStart(4, '0')}-${pad(v.m)}-${pad(v.d)} ${pad(v.H)}:${pad(v.M)}:${pad(v.S)}`
  return v.f ? `${date}.${String(v.f).padStart(6, '0')}` : date
}

export const timeFilters: CallableTable = {
  strftime: define(['string_format', 'second', 'utc'], (_c, format, second = null, utc = false) => {
    let seconds = Date.now() / 1000
    if (second !== null) {
      const n = typeof second === 'string' ? parsePyFloat(second) : numberOf(second)
      if (n === undefined || Number.isNaN(n)) throw new TemplateError(`Invalid value for epoch value (${str(second)})`)
      seconds = n
    }
    return strftime(toText(format), seconds, truthy(utc))
  }),
  to_datetime: define(['string', 'format'], (_c, s, format = '%Y-%m-%d %H:%M:%S') => strptime(toText(s), toText(format))),
}
