// The demo's promise: succeeds when the URL given as argument answers 200.
// (.mjs for the same reason as server.mjs.)
/* global fetch, AbortSignal */
import process from 'node:process';

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: check-http URL\n');
  process.exit(2);
}
fetch(url, { signal: AbortSignal.timeout(5000) }).then(
  (response) => {
    if (response.status !== 200) {
      process.stderr.write(`${url} answered ${response.status}\n`);
      process.exit(1);
    }
  },
  (error) => {
    process.stderr.write(`${url} does not answer: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
