/**
 * Python's operators on template values: `+` joins lists and strings, `*` repeats, `/` is true
 * division (a float), `//` and `%` floor, `%` on a string formats, `in` tests membership. Type
 * mixes Python refuses (`'a' + 1`) are refused with Python's message.
 */
import { TemplateError } from './errors.js'
import { percentFormat } from './pyformat.js'
import { equals, float, isFloat, isMapping, isTuple, numberOf, ownMember, PyFloat, str, tuple, typeName } from './values.js'

export type ArithmeticOp = '+' | '-' | '*' | '/' | '//' | '%' | '**' | 'neg' | 'pos'

interface Sizer {
  charge(steps: number): void
  checkSize(chars: number): void
}

const isNum = (v: unknown): boolean => typeof v === 'number' || v instanceof PyFloat || typeof v === 'boolean'

function unsupported(op: string, a: unknown, b: unknown): TemplateError {
  if (op === '+' && typeof a === 'string') return new TemplateError(`can only concatenate str (not "${typeName(b)}") to str`)
  if (op === '+' && Array.isArray(a) && !isTuple(a)) return new TemplateError(`can only concatenate list (not "${typeName(b)}") to list`)
  return new TemplateError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`)
}

/** A number result: int when both operands are ints and the operation keeps ints. */
function numeric(n: number, floatResult: boolean): number | PyFloat {
  return floatResult ? float(n) : n
}

function repeat(seq: unknown, times: unknown, sizer: Sizer): unknown {
  const n = Math.max(0, numberOf(times)!)
  if (typeof seq === 'string') {
    sizer.checkSize(seq.length * n)
    return seq.repeat(n)
  }
  const list = seq as unknown[]
  sizer.checkSize(list.length * n)
  sizer.charge(list.length * n)
  const out: unknown[] = []
  for (let i = 0; i < n; i++) out.push(...list)
  return isTuple(list) ? tuple(out) : out
}

const isInt = (v: unknown): boolean => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'boolean'

export function arithmetic(op: ArithmeticOp, a: unknown, b: unknown, sizer: Sizer): unknown {
  if (op === 'neg' || op === 'pos') {
    if (!isNum(a)) throw new TemplateError(`bad operand type for unary ${op === 'neg' ? '-' : '+'}: '${typeName(a)}'`)
    const n = numberOf(a)!
    return numeric(op === 'neg' ? -n : n, isFloat(a))
  }
  if (isNum(a) && isNum(b)) return numberOp(op, a, b)
  switch (op) {
    case '+':
      if (typeof a === 'string' && typeof b === 'string') {
        sizer.checkSize(a.length + b.length)
        return a + b
      }
      if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
        sizer.charge(a.length + b.length)
        const joined = [...a, ...b]
        return isTuple(a) ? tuple(joined) : joined
      }
      break
    case '*':
      if ((typeof a === 'string' || Array.isArray(a)) && isInt(b)) return repeat(a, b, sizer)
      if ((typeof b === 'string' || Array.isArray(b)) && isInt(a)) return repeat(b, a, sizer)
      break
    case '%':
      if (typeof a === 'string') {
        const text = percentFormat(a, b)
        sizer.checkSize(text.length)
        return text
      }
      break
  }
  throw unsupported(op, a, b)
}

function numberOp(op: ArithmeticOp, a: unknown, b: unknown): unknown {
  const x = numberOf(a)!
  const y = numberOf(b)!
  const floats = isFloat(a) || isFloat(b)
  switch (op) {
    case '+':
      return numeric(x + y, floats)
    case '-':
      return numeric(x - y, floats)
    case '*':
      return numeric(x * y, floats)
    case '/':
      if (y === 0) throw new TemplateError('division by zero')
      return float(x / y)
    case '//':
      if (y === 0) throw new TemplateError('integer division or modulo by zero')
      return numeric(Math.floor(x / y), floats)
    case '%': {
      if (y === 0) throw new TemplateError('integer division or modulo by zero')
      const m = x - y * Math.floor(x / y)
      return numeric(m, floats)
    }
    case '**':
      if (!floats && y < 0) return float(x ** y)
      return numeric(x ** y, floats)
    default:
      throw unsupported(op, a, b)
  }
}

/** Python's `item in container`. */
export function contains(container: unknown, item: unknown): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new TemplateError(`'in <string>' requires string as left operand, not ${typeName(item)}`)
    return container.includes(item)
  }
  if (Array.isArray(container)) return container.some((x) => equals(x, item))
  if (isMapping(container)) {
    if (item !== null && typeof item === 'object') return false
    return ownMember(container, typeof item === 'string' ? item : str(item)) !== undefined
  }
  throw new TemplateError(`argument of type '${typeName(container)}' is not iterable`)
}
