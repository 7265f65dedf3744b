import { createHash } from 'node:crypto';
import { ConfigError } from '@bulwark/core';
import { SUBJECT_TAG_LENGTH } from '@bulwark/tokens';

/** The key names of one refresh-token store (the layout is in lua.ts). */
export interface RefreshKeys {
  /** The hash tag of a family id: its subject tag, in braces. */
  tagOf(familyId: string): string;
  family(familyId: string): string;
  grace(familyId: string): string;
  /** The family-key and grace-key prefixes of a tag (a script appends family ids). */
  familyPrefix(tag: string): string;
  gracePrefix(tag: string): string;
  subjectIndex(subject: string, tag: string): string;
}

/**
 * A tag as a hash tag. A real tag is 8 base64url characters; anything else a caller
 * passes (an id that is too short, or holds braces) still maps to one non-empty tag
 * without braces, so every key of one script stays in one Cluster slot. Such an id was
 * never created under its own tag (createFamily refuses it), so it is simply unknown.
 */
function hashTag(tag: string): string {
  const safe = tag.replace(/[{}]/g, '_');
  return `{${safe === '' ? '_' : safe}}`;
}

export function refreshKeys(prefix: string): RefreshKeys {
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9._:-]{1,100}$/.test(prefix)) {
    throw new ConfigError(
      'prefix',
      'expected 1 to 100 of [A-Za-z0-9._:-] (no braces: the subject tag is the hash tag)',
    );
  }
  const tagOf = (familyId: string) => hashTag(familyId.slice(0, SUBJECT_TAG_LENGTH));
  return {
    tagOf,
    family: (familyId) => `${prefix}:${tagOf(familyId)}:f:${familyId}`,
    grace: (familyId) => `${prefix}:${tagOf(familyId)}:g:${familyId}`,
    familyPrefix: (tag) => `${prefix}:${hashTag(tag)}:f:`,
    gracePrefix: (tag) => `${prefix}:${hashTag(tag)}:g:`,
    // A digest: any subject (long, with line breaks) makes a short key that names no one.
    subjectIndex: (subject, tag) =>
      `${prefix}:${hashTag(tag)}:u:${createHash('sha256').update(subject, 'utf8').digest('base64url')}`,
  };
}
