// Names for prepared statements. node-postgres keeps a connection's prepared statements by
// name and refuses one name for two texts, and a pool may serve stores of several schemas:
// so a name is derived from the whole bound text (schema included), never from the
// operation alone. FNV-1a over 64 bits: computed once per statement, at construction.

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** `bulwark_<16 hex digits>`: the same for the same text, in every process. */
export function statementName(text: string): string {
  let hash = OFFSET;
  for (const byte of new TextEncoder().encode(text)) hash = ((hash ^ BigInt(byte)) * PRIME) & MASK;
  return 'bulwark_'.concat(hash.toString(16).padStart(16, '0'));
}

/** A name for every statement of a bound table (see `bindStatements`). */
export function statementNames<T extends Record<string, string>>(bound: T): { readonly [K in keyof T]: string } {
  const names: Record<string, string> = {};
  for (const [key, text] of Object.entries(bound)) names[key] = statementName(text);
  return names as { [K in keyof T]: string };
}
