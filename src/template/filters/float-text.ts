/**
 * Python's float presentation types (`f`, `e`, `g`, `%`, repr) computed from a double's exact
 * binary value, so ties round half to even on it as CPython does: `'%.2f' % 0.125` is `0.12`
 * and `'%.0f' % 2.5` is `2`, where JavaScript's toFixed gives `0.13` and `3`.
 */

/** The exact value of a finite double: value = n / 10^scale. */
function exact(x: number): { n: bigint; scale: number } {
  if (x === 0) return { n: 0n, scale: 0 }
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, Math.abs(x))
  const bits = view.getBigUint64(0)
  const biased = Number((bits >> 52n) & 0x7ffn)
  let mantissa = bits & 0xfffffffffffffn
  let exponent = -1074
  if (biased !== 0) {
    mantissa |= 1n << 52n
    exponent = biased - 1075
  }
  if (exponent >= 0) return { n: mantissa << BigInt(exponent), scale: 0 }
  return { n: mantissa * 5n ** BigInt(-exponent), scale: -exponent }
}

/** n / 10^drop, rounded half to even. */
function roundDrop(n: bigint, drop: number): bigint {
  if (drop <= 0) return n * 10n ** BigInt(-drop)
  const unit = 10n ** BigInt(drop)
  const q = n / unit
  const twice = (n % unit) * 2n
  return twice > unit || (twice === unit && q % 2n === 1n) ? q + 1n : q
}

function fixedDigits(x: number, precision: number): string {
  const { n, scale } = exact(x)
  const q = roundDrop(n, scale - precision).toString()
  if (precision === 0) return q
  const padded = q.padStart(precision + 1, '0')
  return `${padded.slice(0, -precision)}.${padded.slice(-precision)}`
}

function exponentParts(x: number, precision: number): { mantissa: string; exponent: number } {
  const { n, scale } = exact(x)
  if (n === 0n) return { mantissa: precision > 0 ? `0.${'0'.repeat(precision)}` : '0', exponent: 0 }
  const digits = n.toString().length
  let exponent = digits - 1 - scale
  let q = roundDrop(n, digits - (precision + 1)).toString()
  if (q.length > precision + 1) {
    exponent += 1
    q = q.slice(0, precision + 1)
  }
  return { mantissa: precision > 0 ? `${q[0]}.${q.slice(1)}` : q, exponent }
}

const expSuffix = (e: number, upper: boolean): string => `${upper ? 'E' : 'e'}${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
const stripZeros = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s)

/** The digits of |x| (no sign) for one of Python's float presentation types. */
export function floatBody(x: number, type: string, precision: number | undefined, alternate: boolean): string {
  const abs = Math.abs(x)
  const upper = type !== '' && type !== '%' && type === type.toUpperCase()
  if (!Number.isFinite(abs)) return (Number.isNaN(abs) ? 'nan' : 'inf')[upper ? 'toUpperCase' : 'toLowerCase']()
  switch (type) {
    case 'f':
    case 'F':
      return fixedDigits(abs, precision ?? 6) + (alternate && precision === 0 ? '.' : '')
    case 'e':
    case 'E': {
      const p = precision ?? 6
      const { mantissa, exponent } = exponentParts(abs, p)
      return `${mantissa}${alternate && p === 0 ? '.' : ''}${expSuffix(exponent, upper)}`
    }
    case '%':
      return `${fixedDigits(abs * 100, precision ?? 6)}${alternate && precision === 0 ? '.' : ''}%`
    case 'r':
      return reprDigits(abs)
    default:
      return generalDigits(abs, type, precision, alternate, upper)
  }
}

/** %g and str.format's no-type form (`pointAlways`: an integral float keeps its `.0`). */
function generalDigits(abs: number, type: string, precision: number | undefined, alternate: boolean, upper: boolean): string {
  const pointAlways = type === ''
  if (pointAlways && precision === undefined) {
    const digits = reprDigits(abs)
    if (!alternate || digits.includes('.')) return digits
    return digits.includes('e') ? digits.replace('e', '.e') : `${digits}.`
  }
  const p = precision === undefined ? 6 : precision === 0 ? 1 : precision
  const { mantissa, exponent } = exponentParts(abs, p - 1)
  // CPython's Py_DTSF_ADD_DOT_0: the no-type form switches to an exponent one digit earlier,
  // when no digit would be left for the `.0`.
  if (exponent < -4 || exponent >= (pointAlways ? p - 1 : p)) {
    const m = alternate ? (mantissa.includes('.') ? mantissa : `${mantissa}.`) : stripZeros(mantissa)
    return m + expSuffix(exponent, upper)
  }
  const fixed = fixedDigits(abs, p - 1 - exponent)
  if (alternate) return fixed.includes('.') ? fixed : `${fixed}.`
  const stripped = stripZeros(fixed)
  return pointAlways && !stripped.includes('.') ? `${stripped}.0` : stripped
}

/** Python's repr() digits of a non-negative float. */
function reprDigits(abs: number): string {
  if (abs >= 1e16 || (abs < 1e-4 && abs !== 0)) {
    const [mantissa = '', exponent = '0'] = abs.toExponential().split('e')
    return mantissa + expSuffix(Number(exponent), false)
  }
  const text = String(abs)
  return text.includes('.') ? text : `${text}.0`
}

export const isNegative = (x: number): boolean => x < 0 || Object.is(x, -0)
