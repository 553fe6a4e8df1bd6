import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The newest /usr/lib/postgresql/<major>/bin holding initdb, or '' to use PATH. */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return '';
  const majors = readdirSync(base)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(base, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? '' : join(base, majors[0], 'bin');
}

export interface OsUser {
  readonly uid: number;
  readonly gid: number;
}

/** uid and gid of a local account, read from /etc/passwd. */
export function osUser(name: string): OsUser {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(
      `initdb and postgres refuse to run as root, and there is no '${name}' account to run them as`,
    );
  }
  return { uid: Number(uid), gid: Number(gid) };
}
