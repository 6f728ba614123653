import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Installs a Debian package when its file is missing and we may (root): tests that drive host
 * tools (the AWS CLI v2 from Debian's `awscli`) set them up on a fresh machine themselves.
 * Returns whether the file is there afterwards.
 */
export function ensureDebianPackage(file: string, pkg: string): boolean {
  if (existsSync(file)) return true;
  if (process.getuid?.() !== 0) return false;
  spawnSync('apt-get', ['install', '-y', '-qq', pkg], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 600_000,
  });
  return existsSync(file);
}
