// The demo's service: a tiny HTTP server that answers with a greeting and
// the title of the instance it belongs to. Host and port come from the
// command line; the greeting and title from the environment set by the wrapper.
// Named .mjs so that Node reads it as a module whatever package.json sits
// above the software root.
import { createServer } from 'node:http';
import process from 'node:process';

const args = process.argv.slice(2);
function arg(name, fallback) {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
}
const host = arg('host', '127.0.0.1');
const port = Number(arg('port', '28081'));
const greeting = process.env.HELLO_GREETING || 'Hello';
const title = process.env.HELLO_TITLE || 'an instance';

const server = createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(`${greeting}, from ${title} (served by slapos.ts on ${host}:${port})\n`);
});
server.listen(port, host, () => {
  process.stdout.write(`listening on http://${host}:${port}/\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
