/*
 * The one platform both schedulers publish to (run as its own process by startPlatformServer):
 * Mastodon's `POST /api/v1/statuses` on 127.0.0.1, answering after a few milliseconds as a real
 * instance does, with the status JSON Mastodon sends. It notes when each post arrived (by its
 * Idempotency-Key), which is how lateness is measured for Postroom and BullMQ alike.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const delayMs = Number(process.argv[2] ?? 5);
let arrivals = new Map<string, number>();
let posts = 0;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/api/v1/statuses') {
      const arrivedAt = Date.now();
      const key = String(req.headers['idempotency-key'] ?? '');
      if (!req.headers.authorization?.startsWith('Bearer ')) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"The access token is invalid"}');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { status?: string };
      if (!arrivals.has(key)) arrivals.set(key, arrivedAt);
      const id = String(100000 + ++posts);
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(
          JSON.stringify({
            id,
            created_at: new Date(arrivedAt).toISOString(),
            uri: `https://social.example/users/bench/statuses/${id}`,
            url: `https://social.example/@bench/${id}`,
            content: `<p>${body.status ?? ''}</p>`,
            visibility: 'public',
            media_attachments: [],
          }),
        );
      }, delayMs);
      return;
    }
    if (req.method === 'GET' && req.url === '/bench/arrivals') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Object.fromEntries(arrivals)));
      return;
    }
    if (req.method === 'POST' && req.url === '/bench/reset') {
      arrivals = new Map();
      posts = 0;
      res.writeHead(204).end();
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Record not found"}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
