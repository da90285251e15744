#!/usr/bin/env node
/*
 * Electron security lint (SPEC §10): runs @doyensec/electronegativity over the Electron-only
 * code (src-main/electron, src-preload, package.json) plus the built renderer when `out/` exists,
 * prints the findings and a one-line summary by severity, and exits 1 on any HIGH finding or
 * on a file it could not parse (an unparsed file is an unchecked file).
 *
 *   node scripts/electronegativity.mjs [--json report.json]
 *
 * Offline by construction: the tool fetches translations and Electron's release list over the
 * network; `got` is replaced by a stub that fails at once, the release-list check (the only
 * one needing it) is excluded, and the Electron version comes from node_modules/electron.
 *
 * The tool only evaluates a CSP written as a string literal at the header call site; ours is a
 * constant in src-main/electron/security.ts, so this script evaluates that constant itself with
 * the tool's own CSP evaluator (a HIGH or syntax finding there fails the run too).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

// What is scanned. Global checks (navigation limits, permission handler, CSP) look across all
// files of one run, so main and preload must be scanned together, not one folder at a time.
const SOURCES = ['src-main/electron', 'src-preload', 'package.json'];
// From the build only the renderer (its index.html carries the <meta> CSP, and its bundle is
// not in the sources above); out/main and out/preload are the sources above minus the
// reviewed `eng-disable` annotations, so scanning them would only repeat reviewed findings.
const BUILT = ['out/renderer'];

const SEVERITIES = ['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];

const args = process.argv.slice(2);
const jsonIndex = args.indexOf('--json');
const jsonOut = jsonIndex >= 0 ? args[jsonIndex + 1] : undefined;
if (jsonIndex >= 0 && !jsonOut) {
  console.error('usage: node scripts/electronegativity.mjs [--json report.json]');
  process.exit(2);
}

// --- keep the tool offline --------------------------------------------------------------------
const toolMain = require.resolve('@doyensec/electronegativity');
const gotPath = createRequire(toolMain).resolve('got');
const offline = () => Promise.reject(new Error('electronegativity runs offline here'));
const gotStub = Object.assign(offline, { head: offline, get: offline, __esModule: true });
gotStub.default = gotStub;
require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: gotStub };
process.env.LANG = 'en-US'; // the tool's bundled locale; anything else is looked up online

const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
const run = require('@doyensec/electronegativity');
const cspEvaluator = createRequire(toolMain).resolve('@doyensec/csp-evaluator');
// Needs network (Electron's release list); we pass the installed version instead.
const EXCLUDED = ['AvailableSecurityFixesGlobalCheck', 'ElectronVersionJSONCheck'];

// --- stage the inputs in one folder, keeping repo-relative paths ------------------------------
const missing = SOURCES.filter((rel) => !existsSync(join(root, rel)));
if (missing.length > 0) {
  console.error(`electronegativity FAIL: missing input ${missing.join(', ')}`);
  process.exit(1);
}
const scanned = [...SOURCES, ...BUILT.filter((rel) => existsSync(join(root, rel)))];
const stage = mkdtempSync(join(tmpdir(), 'postroom-eng-'));
for (const rel of scanned) cpSync(join(root, rel), join(stage, rel), { recursive: true });

// The tool prints progress noise (e.g. the failed translation fetch) through console.log.
const quiet = new Set(['Could not retrieve updated translations for the current locale']);
const log = console.log;
console.log = (...parts) => {
  if (!quiet.has(String(parts[0]))) log(...parts);
};
let result;
try {
  result = await run({
    input: stage,
    isRelative: true,
    electronVersionOverride: electronVersion,
    excludeFromScan: EXCLUDED,
  });
} finally {
  console.log = log;
  rmSync(stage, { recursive: true, force: true });
}

// --- our own CSP constant, with the tool's evaluator --------------------------------------------
const { tsImport } = await import('tsx/esm/api');
const securityTs = 'src-main/electron/security.ts';
const { CONTENT_SECURITY_POLICY } = await tsImport(pathToFileURL(join(root, securityTs)).href, import.meta.url);
const csp = require(cspEvaluator);
const S = csp.severities;
const cspSeverity = (v) =>
  v <= S.SYNTAX ? 'HIGH' : v <= S.HIGH_MAYBE ? 'MEDIUM' : v <= S.MEDIUM_MAYBE ? 'LOW' : 'INFORMATIONAL';
const cspIssues = new csp.CspEvaluator(new csp.CspParser(CONTENT_SECURITY_POLICY).csp, csp.Version.CSP3)
  .evaluate()
  .map((f) => {
    const name = cspSeverity(f.severity);
    return {
      file: securityTs,
      location: { line: 0, column: 0 },
      id: 'CSP_POLICY_CHECK',
      description: `${f.directive}: ${f.description}`,
      severity: { name, value: SEVERITIES.length - 1 - SEVERITIES.indexOf(name) },
      confidence: { name: 'FIRM', value: 1 },
      manualReview: name !== 'HIGH',
    };
  });

// --- report -----------------------------------------------------------------------------------
const issues = [...result.issues, ...cspIssues].sort(
  (a, b) => b.severity.value - a.severity.value || String(a.file).localeCompare(String(b.file)),
);
for (const issue of issues) {
  const where =
    issue.file === 'N/A'
      ? '(global)'
      : issue.location.line
        ? `${issue.file}:${issue.location.line}:${issue.location.column}`
        : issue.file;
  const review = issue.manualReview ? ' [review]' : '';
  log(`${issue.severity.name.padEnd(13)} ${issue.confidence.name.padEnd(9)} ${issue.id}${review}  ${where}`);
  log(`  ${issue.description} ${issue.shortenedURL ?? ''}`.trimEnd());
}
const errors = result.errors.map((e) => ({ ...e, file: relative(stage, e.file) }));
const parseFailures = errors.filter((e) => !e.tolerable);
for (const e of errors) log(`${e.tolerable ? 'parse warning' : 'PARSE ERROR'}: ${e.file}: ${e.message}`);

if (jsonOut) {
  const plain = issues.map((i) => ({ ...i, severity: i.severity.name, confidence: i.confidence.name }));
  writeFileSync(resolve(jsonOut), JSON.stringify({ electronVersion, scanned, issues: plain, errors }, null, 2));
}

const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
for (const issue of issues) counts[issue.severity.name] += 1;
const verdict = counts.HIGH > 0 || parseFailures.length > 0 ? 'FAIL' : 'ok';
log(
  `electronegativity ${verdict}: ${issues.length} findings (HIGH ${counts.HIGH}, MEDIUM ${counts.MEDIUM}, ` +
    `LOW ${counts.LOW}, INFORMATIONAL ${counts.INFORMATIONAL}), ${parseFailures.length} parse errors; ` +
    `Electron ${electronVersion}; scanned ${scanned.join(', ')}`,
);
process.exit(verdict === 'ok' ? 0 : 1);
