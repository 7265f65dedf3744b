import { type IpAddress, parseIpWithOptionalPort } from './parse.js';

/**
 * The addresses of an `X-Forwarded-For` value, right-most (nearest hop) first. An entry
 * that is not an address is `undefined`, so callers can stop at it.
 */
export function forwardedForChain(value: string): Array<IpAddress | undefined> {
  const parts = value.split(',');
  const chain: Array<IpAddress | undefined> = [];
  for (let i = parts.length - 1; i >= 0; i--) {
    chain.push(parseIpWithOptionalPort((parts[i] as string).trim()));
  }
  return chain;
}

/**
 * The `for=` addresses of an RFC 7239 `Forwarded` value, right-most first. Quoted strings
 * are honoured (commas and semicolons inside them do not split); `unknown`, obfuscated
 * identifiers (`_hidden`) and elements without `for` are `undefined`.
 */
export function forwardedChain(value: string): Array<IpAddress | undefined> {
  const elements: Array<IpAddress | undefined> = [];
  let forValue: string | undefined;
  let pair = '';
  let inQuotes = false;
  let escaped = false;

  const endPair = () => {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim().toLowerCase() === 'for') {
      let raw = pair.slice(eq + 1).trim();
      if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) raw = raw.slice(1, -1).replace(/\\(.)/g, '$1');
      forValue = raw;
    }
    pair = '';
  };
  const endElement = () => {
    endPair();
    elements.push(forValue === undefined ? undefined : parseIpWithOptionalPort(forValue));
    forValue = undefined;
  };

  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (inQuotes) {
      pair += ch;
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inQuotes = false;
    } else if (ch === '"') {
      inQuotes = true;
      pair += ch;
    } else if (ch === ';') {
      endPair();
    } else if (ch === ',') {
      endElement();
    } else {
      pair += ch;
    }
  }
  // An unterminated quote makes the last element unusable rather than guessed.
  if (inQuotes) {
    pair = '';
    forValue = undefined;
    elements.push(undefined);
  } else {
    endElement();
  }
  return elements.reverse();
}
