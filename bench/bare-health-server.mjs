// The baseline: a bare node:http server answering /health with the same bytes and headers as ours.
import { createServer } from 'node:http';

const body = Buffer.from(JSON.stringify({ status: 'healthy' }));
createServer((_request, response) => {
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-store',
  });
  response.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
