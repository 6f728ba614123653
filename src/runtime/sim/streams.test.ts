import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProcessIO } from '../types.ts';
import { runInteractive, serveHttp } from './streams.ts';

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) {
    // A tick between chunks, as a socket delivers them.
    await Promise.resolve();
    yield Buffer.from(p);
  }
}

const ctx = { hostname: 'web', env: {}, extra: {}, now: 0, execId: 'e1' };

function io(stdin?: AsyncIterable<Buffer>, tty = false): { io: ProcessIO; out: string[] } {
  const out: string[] = [];
  const sink = (c: Buffer): void => {
    out.push(c.toString());
  };
  return {
    out,
    io: {
      tty,
      signal: new AbortController().signal,
      stdout: sink,
      stderr: sink,
      ...(stdin ? { stdin } : {}),
    },
  };
}

describe('sim interactive exec and port-forward', () => {
  it('cat copies stdin; echo follows the terminal line discipline', async () => {
    const a = io(chunks('x\n', 'y\n'));
    assert.equal(await runInteractive(['cat'], ctx, a.io), 0);
    assert.equal(a.out.join(''), 'x\ny\n');
    const b = io(undefined, true);
    assert.equal(await runInteractive(['echo', 'hi'], ctx, b.io), 0);
    assert.equal(b.out.join(''), 'hi\r\n');
  });

  it('fails as containerd for a missing binary, as a shell for a missing command', async () => {
    await assert.rejects(runInteractive(['bash'], ctx, io().io), {
      message:
        'failed to exec in container: failed to start exec "e1": OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in $PATH: unknown',
    });
    const s = io();
    assert.equal(await runInteractive(['sh', '-c', 'curl x'], ctx, s.io), 127);
    assert.equal(s.out.join(''), 'sh: curl: not found\n');
  });

  it('answers each HTTP request on a forwarded connection', async () => {
    const written: string[] = [];
    await serveHttp('body', {
      input: chunks('GET / HTTP/1.1\r\nHost: x\r\n', '\r\nHEAD / HTTP/1.1\r\n\r\n'),
      write: (c) => written.push(c.toString()),
      signal: new AbortController().signal,
    });
    assert.equal(written.length, 2);
    assert.match(written[0] ?? '', /^HTTP\/1\.1 200 OK\r\n.*Content-Length: 5\r\n\r\nbody\n$/s);
    assert.ok(written[1]?.endsWith('\r\n\r\n'));
  });
});
