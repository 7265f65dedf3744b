import { ConfigError } from './errors.js';

/**
 * The closest known name to a typo, when it is close enough to be the one meant: at most
 * two edits (insert, delete, replace, swap of neighbours), or one for names of three
 * letters or fewer, where two edits reach almost anything. Case-insensitive.
 */
function closestName(typo: string, known: readonly string[]): string | undefined {
  const wanted = typo.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.max(1, wanted.length - 2));
  for (const name of known) {
    const distance = editDistance(wanted, name.toLowerCase(), bestDistance);
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance, given up on (answering `max + 1`) past `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, (before[j - 2] as number) + 1);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * Checks the shape of an options object at construction: it must be an object, and every
 * key must be one the factory knows, so that a typo (`windw`, `trustproxy`) is refused with
 * a {@link ConfigError} naming its path (`limits[0].windw`) and, when one is close, the name
 * meant, instead of being silently ignored while the default applies. A key whose value is
 * `undefined` is checked too: `{ windw: undefined }` is still a typo. Every factory of
 * every Bulwark package checks its options (and its nested option objects) through this
 * one function; a third-party policy may use it as well.
 *
 * `at` is the path of the object inside the factory's options: `''` for the options
 * themselves (keys are then named bare, `maxKeys`), `'limits[0]'` for a nested one.
 *
 * @example
 * ```ts
 * import { checkOptions } from '@bulwark/core';
 *
 * interface RetryOptions { readonly attempts?: number | undefined; readonly delay?: number | undefined }
 * function retryPolicy(options: RetryOptions = {}) {
 *   checkOptions(options, ['attempts', 'delay']);
 *   return { attempts: options.attempts ?? 3, delay: options.delay ?? 100 };
 * }
 * retryPolicy({ attempt: 5 } as RetryOptions);
 * // ConfigError: Invalid option "attempt": unknown option (a typo would otherwise be ignored); did you mean "attempts"?
 * ```
 */
export function checkOptions<T>(options: T, known: readonly string[], at = ''): asserts options is T & object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError(at === '' ? 'options' : at, 'expected an object');
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const meant = closestName(key, known);
    throw new ConfigError(
      at === '' ? key : `${at}.${key}`,
      `unknown option (a typo would otherwise be ignored)${meant === undefined ? '' : `; did you mean "${meant}"?`}`,
    );
  }
}
