#!/usr/bin/env node
// Turns the JSON lines written by ../run_trace_bench.sh into a Markdown report of medians.
//
//   node report.mjs --in results.jsonl --out results.md [--meta meta.json]
//
// Prints the report to stdout and writes it to --out.

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    in: { type: 'string' },
    out: { type: 'string' },
    meta: { type: 'string' },
    metric: { type: 'string', default: 'wall' },
  },
  strict: true,
});
if (!opts.in) {
  process.stderr.write('usage: node report.mjs --in results.jsonl [--out results.md] [--meta meta.json] [--metric wall|cpu]\n');
  process.exit(2);
}
if (!['wall', 'cpu'].includes(opts.metric)) {
  process.stderr.write('report: --metric must be wall or cpu\n');
  process.exit(2);
}
// Time shown: wall-clock `ms` (default) or the process's CPU time `cpuMs` over the same region.
const TIME = opts.metric === 'cpu' ? 'cpuMs' : 'ms';

const rows = fs.readFileSync(opts.in, 'utf8').split('\n').filter((l) => l.trim()).map((l) => {
  try { return JSON.parse(l); } catch { return null; }
}).filter(Boolean);
const meta = opts.meta && fs.existsSync(opts.meta) ? JSON.parse(fs.readFileSync(opts.meta, 'utf8')) : {};

const IMPLS = [
  ['tandem', 'Tandem'],
  ['yjs', 'Yjs'],
  ['ywasm', 'ywasm'],
  ['dt', 'diamond-types¹'],
];
const RATIOS = [['yjs', 'Yjs/Tandem'], ['ywasm', 'ywasm/Tandem']];
const WORKLOADS = [
  ['local', 'Local apply: every patch as a local insert/delete, one transaction per trace txn (ms)'],
  ['remote', 'Remote apply: the per-transaction v1 update stream, applied one update at a time (ms)'],
  ['encode', 'Encode the final document as one v1 update (ms, warm; size in bytes)'],
  ['load', 'Load that v1 encoding into a fresh doc + toString (ms, warm)'],
  ['memory', 'Memory retained by the loaded document (MB = 10^6 bytes)'],
  ['egwalker', 'Eg-walker paper datasets: load a whole v2 document (applyUpdateV2) + toString (ms, warm)'],
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmtMB = (b) => (b / 1e6).toFixed(2) + ' MB';
const fmtRatio = (r) => (r >= 10 ? r.toFixed(1) : r.toFixed(2)) + '×';

// group -> { runs: [...], ok: [...] }
const groups = new Map();
for (const r of rows) {
  const key = `${r.workload}\u0000${r.trace}\u0000${r.impl}`;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(r);
}

function stats(workload, trace, impl) {
  const runs = groups.get(`${workload}\u0000${trace}\u0000${impl}`);
  if (!runs || runs.length === 0) return null;
  if (runs.every((r) => r.skipped)) return { skipped: true, note: runs[0].note };
  const okRuns = runs.filter((r) => r.ok);
  const good = okRuns.filter((r) => typeof r[TIME] === 'number');
  const s = { n: runs.length, nOk: okRuns.length, runs };
  if (okRuns.length === 0) {
    s.error = runs.map((r) => r.error).find(Boolean) || 'check failed (ok=false)';
    return s;
  }
  if (good.length === 0) return { missing: true };
  const ms = good.map((r) => r[TIME]);
  s.ms = median(ms);
  s.spread = good.length > 1 ? (Math.max(...ms) - Math.min(...ms)) / s.ms : 0;
  const col = (k) => good.map((r) => r[k]).filter((v) => typeof v === 'number');
  for (const k of ['bytes', 'memBytes', 'heapBytes', 'wasmBytes', 'coldMs']) {
    const v = col(k);
    if (v.length) s[k] = median(v);
  }
  // Share of a core the process got while timed: well below 1 means it waited for the CPU.
  const share = good.filter((r) => typeof r.cpuMs === 'number' && r.ms > 5).map((r) => r.cpuMs / r.ms);
  if (share.length) s.cpuShare = median(share);
  return s;
}

function cell(workload, s) {
  if (!s) return '–';
  if (s.skipped) return 'n/a';
  if (s.missing) return `no ${TIME}`;
  if (s.ms === undefined) return `FAIL (0/${s.n} ok)`;
  let txt;
  if (workload === 'memory') {
    txt = s.memBytes !== undefined ? fmtMB(s.memBytes) : '?';
    if (s.wasmBytes !== undefined) txt += ` (wasm ${fmtMB(s.wasmBytes)})`;
  } else {
    txt = fmtMs(s.ms);
    if (s.n > 1 && s.spread >= 0.005) txt += ` ±${Math.round((s.spread * 100) / 2)}%`;
    if (workload === 'encode' && s.bytes !== undefined) txt += ` (${fmtInt(s.bytes)} B)`;
  }
  if (TIME === 'ms' && s.cpuShare !== undefined && s.cpuShare < BUSY) {
    txt += ' †';
    busyCells++;
  }
  if (s.nOk < s.n) txt += ` (${s.nOk}/${s.n} ok)`;
  return txt;
}

function metric(workload, s) {
  if (!s || s.ms === undefined || s.missing) return undefined;
  return workload === 'memory' ? s.memBytes : s.ms;
}

const BUSY = 0.8;
let busyCells = 0;

const out = [];
const p = (l = '') => out.push(l);
p('# Tandem editing-trace benchmark');
p();
if (meta.date) p(`Run ${meta.date} on ${meta.host || 'this machine'}.`);
const facts = [];
if (meta.cpu) facts.push(`CPU: ${meta.cpu} (${meta.nproc} cores)`);
if (meta.node) facts.push(`Node ${meta.node}`);
if (meta.pin) facts.push(`pinning: ${meta.pin}`);
if (meta.runs) facts.push(`${meta.runs} fresh process(es) per cell, median shown`);
if (meta.loadBefore) facts.push(`load average before/after: ${meta.loadBefore} / ${meta.loadAfter}`);
if (meta.commit) facts.push(`Tandem commit ${meta.commit}`);
if (facts.length) p(facts.map((f) => `- ${f}`).join('\n'));
const versions = {};
for (const r of rows) if (r.version && !versions[r.impl]) versions[r.impl] = r.version;
const vlist = IMPLS.filter(([k]) => versions[k]).map(([k, n]) => `${n.replace('¹', '')} ${versions[k]}`);
if (vlist.length) p(`- versions: ${vlist.join(', ')}`);
if (meta.tandemNote) p(`- ${meta.tandemNote}`);
p();
p(`Times are ${TIME === 'ms' ? 'wall-clock' : 'CPU time of the benchmark process (user + system, all threads)'}; ` +
  'medians over runs; `±x%` is half the min–max spread of the runs. Ratios > 1 mean Tandem is faster/smaller. ' +
  'encode/load/egwalker are warm (median of timed iterations after warm-up inside each process); ' +
  'local/remote are single passes over the whole trace; memory is one cold load.');

for (const [w, title] of WORKLOADS) {
  const traces = [...new Set(rows.filter((r) => r.workload === w).map((r) => r.trace))];
  if (traces.length === 0) continue;
  p();
  p(`## ${w}: ${title}`);
  p();
  const implsHere = IMPLS.filter(([k]) => rows.some((r) => r.workload === w && r.impl === k));
  p(`| trace | ${implsHere.map(([, n]) => n).join(' | ')} | ${RATIOS.map(([, n]) => n).join(' | ')} |`);
  p(`|---|${implsHere.map(() => '---:').join('|')}|${RATIOS.map(() => '---:').join('|')}|`);
  for (const t of traces) {
    const st = Object.fromEntries(implsHere.map(([k]) => [k, stats(w, t, k)]));
    const base = metric(w, st.tandem);
    const ratios = RATIOS.map(([k]) => {
      const v = metric(w, st[k]);
      return base && v !== undefined ? fmtRatio(v / base) : '–';
    });
    p(`| ${t} | ${implsHere.map(([k]) => cell(w, st[k])).join(' | ')} | ${ratios.join(' | ')} |`);
  }
  if (w === 'memory') {
    p();
    p('Yjs: growth of V8 `heapUsed` between two full GCs around loading the document (kept alive). ' +
      'ywasm / diamond-types: the same heap growth plus the growth of the wasm linear memory ' +
      '(shown in brackets); wasm memory never shrinks, so that part is the peak during the load, ' +
      'not only what stays retained, and it grows in 64 KiB pages. Tandem: as reported by its benchmark program.');
  }
}

if (busyCells) {
  p();
  p(`† ${busyCells} cell(s) where the timed processes got less than ${BUSY * 100}% of a core (CPU time / wall time): ` +
    'the machine was busy and those wall times are inflated; see `cpuMs` in the .jsonl, or re-render with `--metric cpu`.');
}

const failures = rows.filter((r) => !r.ok && !r.skipped);
if (failures.length) {
  p();
  p('## Failed runs');
  p();
  for (const f of failures.slice(0, 30)) {
    p(`- ${f.impl} ${f.trace} ${f.workload}: ${f.error || 'check failed (ok=false)'}`);
  }
  if (failures.length > 30) p(`- … and ${failures.length - 30} more (see the .jsonl file)`);
}

p();
p('¹ diamond-types (npm `diamond-types-node`, wasm) is a reference point only: it is not Yjs-compatible, so its ' +
  '"remote" merges its own per-transaction patches, "encode"/"load"/"memory" use its own file format, and it cannot ' +
  'load the Yjs v2 datasets.');
p();
p('Traces (CC BY 4.0): automerge-paper by Martin Kleppmann and Alastair Beresford (automerge-perf); ' +
  "the other sequential traces from Joseph Gentle's editing-traces collection; S1–S3, C1, C2 from the " +
  'datasets of Joseph Gentle and Martin Kleppmann, "Collaborative Text Editing with Eg-walker: Better, Faster, ' +
  'Smaller" (EuroSys 2025). See the traces\' PROVENANCE.md.');

const text = out.join('\n') + '\n';
process.stdout.write(text);
if (opts.out) {
  fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  fs.writeFileSync(opts.out, text);
}
