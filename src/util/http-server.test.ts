import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { describe, it } from 'node:test';
import { closeServer, listenOn } from './http-server.ts';

describe('listenOn / closeServer', () => {
  it('serves on the port it reports, and closes with a keep-alive client still connected', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    const port = await listenOn(server, { host: '127.0.0.1', port: 0 });
    assert.ok(port > 0);
    const agentBody = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, headers: { connection: 'keep-alive' } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c.toString();
          });
          res.on('end', () => {
            resolve(body);
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(agentBody, 'ok');
    await closeServer(server);
    assert.equal(server.listening, false);
  });

  it('rejects when the address is taken, leaving the first server serving', async () => {
    const first = createServer();
    const port = await listenOn(first, { host: '127.0.0.1', port: 0 });
    const second = createServer();
    await assert.rejects(listenOn(second, { host: '127.0.0.1', port }), /EADDRINUSE/);
    assert.equal(first.listening, true);
    await closeServer(first);
  });
});
