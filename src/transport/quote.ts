/**
 * The one place argv becomes a POSIX-sh command line. Every word is single-quoted unless it is
 * made only of characters no shell treats specially; a single quote is written as '\''.
 * (zx's quote() emits bash $'…', which dash and other POSIX shells do not understand.)
 */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/

export function shQuote(word: string): string {
  if (word !== '' && SAFE_WORD.test(word)) return word
  return `'${word.replaceAll("'", `'\\''`)}'`
}

export function shJoin(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('shJoin: empty argv')
  return argv.map(shQuote).join(' ')
}

/** argv prefixed for privilege escalation; sudo -n fails at once instead of prompting for a password. */
export function withBecome(argv: readonly string[], user: string | undefined): readonly string[] {
  return user === undefined ? argv : ['sudo', '-n', '-u', user, '--', ...argv]
}
