import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', 'golden');

/** Ages and timestamps change from run to run; everything else must match to the letter. */
export function normalize(out: string): string {
  return (
    out
      .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\b/g, '<time>')
      .replace(
        /\b[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}\b/g,
        '<time>',
      )
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uid>')
      .replace(/(?<=\s|\()(\d+d)?(\d+h)?(\d+m)?\d+s(?=\s|$|\))/gm, '<age>')
      .replace(/resourceVersion: "\d+"/g, 'resourceVersion: "<rv>"')
      // The ServiceAccount admission plugin names the token volume with a random suffix.
      .replace(/kube-api-access-[a-z0-9]{5}\b/g, 'kube-api-access-<rand>')
      .replace(/[ \t]+/g, ' ')
      .replace(/ +$/gm, '')
  );
}

/** Compares with test/golden/<name>; UPDATE_GOLDEN=1 rewrites the file. */
export function assertGolden(name: string, actual: string): void {
  const file = join(ROOT, name);
  const got = normalize(actual);
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(file)) {
    if (process.env['CI'] === 'true' && !existsSync(file))
      assert.fail(`missing golden file ${name}`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, got);
    return;
  }
  assert.equal(
    got,
    readFileSync(file, 'utf8'),
    `golden ${name} differs (UPDATE_GOLDEN=1 to accept)`,
  );
}
