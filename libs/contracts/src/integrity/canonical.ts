import { createHash } from 'node:crypto';

/**
 * The bytes that a signature or a fingerprint covers: a tag naming what is encoded (and its version),
 * then the fields in a FIXED order, as one JSON array. Not JSON.stringify of an object (whose key order
 * is whatever built it); an array of strings and numbers has exactly one encoding, and no field can
 * bleed into the next (a URL holding a separator cannot shift the fields after it).
 */
export function canonicalFields(tag: string, fields: readonly (string | number)[]): string {
  return JSON.stringify([tag, ...fields]);
}

/** SHA-256 of the canonical fields, hex (64 characters): what a request was for, compared as a whole. */
export function fingerprintOf(tag: string, fields: readonly (string | number)[]): string {
  return createHash('sha256').update(canonicalFields(tag, fields)).digest('hex');
}
