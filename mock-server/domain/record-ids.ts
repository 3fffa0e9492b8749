import { randomBytes } from 'node:crypto';

/** A new record id: the prefix the API uses for that kind of record, then 12 random hex digits. */
export function newId(prefix: 'contact' | 'conv' | 'msg' | 'wh' | 'evt' | 'site' | 'dlv'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}
