import { BulwarkError } from '@bulwark/core';
import type { CreateFamilyInput, RotateInput } from '@bulwark/tokens';

function invalid(what: string): never {
  throw new BulwarkError('invalid_argument', what);
}

/** PostgreSQL text holds no NUL: one in an argument is refused before it reaches the server. */
const hasNul = (s: string) => s.includes('\u0000');

export function checkCreateInput(input: CreateFamilyInput): void {
  const positive = (n: unknown) => Number.isSafeInteger(n) && (n as number) > 0;
  const { familyId, subjectTag } = input;
  if (typeof familyId !== 'string' || typeof subjectTag !== 'string' || subjectTag === '') {
    invalid('createFamily: familyId and subjectTag must be strings');
  }
  if (!familyId.startsWith(subjectTag) || familyId.length <= subjectTag.length) {
    invalid('createFamily: a family id begins with its subject tag');
  }
  if (typeof input.subject !== 'string' || typeof input.clientId !== 'string' || typeof input.tokenHash !== 'string') {
    invalid('createFamily: subject, clientId and tokenHash must be strings');
  }
  if (!Array.isArray(input.scopes) || input.scopes.some((s) => typeof s !== 'string')) {
    invalid('createFamily: scopes must be an array of strings');
  }
  if ([familyId, input.subject, input.clientId, input.tokenHash, ...input.scopes].some(hasNul)) {
    invalid('createFamily: no string may contain NUL');
  }
  if (!positive(input.absoluteLifetimeMs) || !positive(input.idleLifetimeMs) || !positive(input.maxFamilies)) {
    invalid('createFamily: the lifetimes and maxFamilies must be positive integers');
  }
}

export function checkRotateInput(input: RotateInput): void {
  const { familyId, presentedHash, childHash, sealedChild, graceMs, idleLifetimeMs } = input;
  const strings = [familyId, presentedHash, childHash, sealedChild];
  if (strings.some((s) => typeof s !== 'string')) {
    invalid('rotate: familyId, presentedHash, childHash and sealedChild must be strings');
  }
  if (strings.some(hasNul)) invalid('rotate: no string may contain NUL');
  if (!Number.isSafeInteger(graceMs) || graceMs < 0 || !Number.isSafeInteger(idleLifetimeMs) || idleLifetimeMs < 1) {
    invalid('rotate: graceMs must be a non-negative integer and idleLifetimeMs a positive one');
  }
}

export function checkId(op: string, value: unknown, name = 'familyId'): asserts value is string {
  if (typeof value !== 'string' || hasNul(value)) invalid(`${op}: ${name} must be a string without NUL`);
}
