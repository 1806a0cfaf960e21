import { createRequire } from 'node:module'
import type Nunjucks from 'nunjucks'

let loaded: typeof Nunjucks | undefined

/**
 * nunjucks, loaded on first use (~25 ms at start): a playbook without templates never loads it.
 * In the bundle, esbuild turns the bare `require` into its lazy wrapper of the bundled nunjucks;
 * under tsx (ES modules, no global `require`) Node's createRequire loads the package.
 */
export function nunjucks(): typeof Nunjucks {
  loaded ??= (typeof require === 'function' ? require('nunjucks') : createRequire(import.meta.url)('nunjucks')) as typeof Nunjucks
  return loaded
}
