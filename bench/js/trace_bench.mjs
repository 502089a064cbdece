#!/usr/bin/env node
// Peer side of Tandem's editing-trace benchmark: one measurement per process.
//
//   node --expose-gc trace_bench.mjs --impl yjs|ywasm|dt --trace NAME \
//        --workload local|remote|encode|load|memory|egwalker [--dataset S1] [--traces DIR] \
//        [--warmup 5] [--iters 5]
//
// Prints exactly one JSON line on stdout:
//   {"impl","trace","workload","ms","bytes"?,"memBytes"?,"ok", ...extra fields}
// and exits 0 even when ok is false (the driver records the failure); it exits 2 on bad usage.
// See ../README.md for what each workload measures.
//
// Traces are read from --traces DIR, else $TANDEM_TRACES_DIR, else <repo>/../shared/traces.
// The trace data is CC BY 4.0 (automerge-paper: Martin Kleppmann & Alastair Beresford;
// editing-traces: Joseph Gentle; Eg-walker datasets: Joseph Gentle & Martin Kleppmann) -- see
// <traces>/PROVENANCE.md.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const WORKLOADS = ['local', 'remote', 'encode', 'load', 'memory', 'egwalker'];
const IMPLS = ['yjs', 'ywasm', 'dt'];

// ---------------------------------------------------------------- arguments

let opts;
try {
  opts = parseArgs({
    options: {
      impl: { type: 'string' },
      trace: { type: 'string' },
      workload: { type: 'string' },
      dataset: { type: 'string' },
      traces: { type: 'string' },
      warmup: { type: 'string', default: '5' },
      iters: { type: 'string', default: '5' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
} catch (e) {
  usage(e.message);
}
if (opts.help) usage();
if (!IMPLS.includes(opts.impl)) usage(`--impl must be one of ${IMPLS.join('|')}`);
if (!WORKLOADS.includes(opts.workload)) usage(`--workload must be one of ${WORKLOADS.join('|')}`);
if (opts.workload === 'egwalker') {
  // The dataset can come as --dataset S1, or as --trace egwalker-S1 / --trace S1.
  if (!opts.dataset && opts.trace) opts.dataset = opts.trace.replace(/^egwalker-/, '');
  if (!opts.dataset) usage('--workload egwalker needs --dataset S1|S2|S3|C1|C2');
  opts.trace = `egwalker-${opts.dataset}`;
} else if (!opts.trace) {
  usage('--trace NAME is required');
}
if (typeof global.gc !== 'function') usage('run node with --expose-gc');
const WARMUP = Number(opts.warmup), ITERS = Number(opts.iters);
if (!(Number.isInteger(WARMUP) && WARMUP >= 0 && Number.isInteger(ITERS) && ITERS >= 1)) {
  usage('--warmup must be >= 0 and --iters >= 1');
}

const TRACES = path.resolve(opts.traces || process.env.TANDEM_TRACES_DIR ||
  path.join(here, '..', '..', '..', 'shared', 'traces'));

function usage(msg) {
  if (msg) process.stderr.write(`trace_bench: ${msg}\n`);
  process.stderr.write('usage: node --expose-gc trace_bench.mjs --impl yjs|ywasm|dt --trace NAME ' +
    '--workload local|remote|encode|load|memory|egwalker [--dataset S1] [--traces DIR] ' +
    '[--warmup N] [--iters N]\n');
  process.exit(2);
}

// ---------------------------------------------------------------- trace files

const gunzip = (file) => zlib.gunzipSync(fs.readFileSync(path.join(TRACES, file)));

function readTrace(name) {
  const t = JSON.parse(gunzip(`editing-traces/sequential_traces/${name}.json.gz`).toString('utf8'));
  if (!Array.isArray(t.txns) || typeof t.endContent !== 'string') throw new Error(`${name}: not a sequential trace`);
  return t;
}

function countEdits(trace) {
  let n = 0;
  for (const txn of trace.txns) n += txn.patches.length;
  return n;
}

// [varuint length][bytes] repeated (lib0 writeVarUint8Array framing).
function readFramedUpdates(name) {
  const buf = gunzip(`derived-yjs/${name}.updates.v1.bin.gz`);
  const out = [];
  let i = 0;
  while (i < buf.length) {
    let len = 0, shift = 0, b;
    do {
      if (i >= buf.length) throw new Error('truncated varuint in update stream');
      b = buf[i++];
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    if (i + len > buf.length) throw new Error('truncated update in update stream');
    out.push(buf.subarray(i, i + len));
    i += len;
  }
  return out;
}

// Yjs's encodeStateAsUpdate (v1) of the final document, as shipped next to the trace.
const readStateV1 = (name) => new Uint8Array(gunzip(`derived-yjs/${name}.state.v1.bin.gz`));

// ---------------------------------------------------------------- implementations

// Loads a second, independent instance of a wasm-bindgen package (its own wasm module instance
// and linear memory), so that building inputs does not pre-grow the memory we measure.
function freshInstance(pkg) {
  const p = require.resolve(pkg);
  const saved = require.cache[p];
  delete require.cache[p];
  const m = require(p);
  if (saved) require.cache[p] = saved; else delete require.cache[p];
  return m;
}

function pkgVersion(pkg) {
  return JSON.parse(fs.readFileSync(path.join(here, 'node_modules', pkg, 'package.json'), 'utf8')).version;
}

function yjsImpl() {
  const Y = require('yjs');
  return {
    version: pkgVersion('yjs'),
    newDoc: () => new Y.Doc(),
    local(doc, trace) {
      const text = doc.getText('text');
      for (const txn of trace.txns) {
        doc.transact(() => {
          for (const [pos, del, ins] of txn.patches) {
            if (del > 0) text.delete(pos, del);
            if (ins.length > 0) text.insert(pos, ins);
          }
        });
      }
    },
    applyV1: (doc, u) => Y.applyUpdate(doc, u),
    applyV2: (doc, u) => Y.applyUpdateV2(doc, u),
    encodeV1: (doc) => Y.encodeStateAsUpdate(doc),
    text: (doc) => doc.getText('text').toString(),
    free: (doc) => doc.destroy(),
    wasmBytes: null,
    memWhat: 'V8 heapUsed retained after gc (doc kept alive)',
  };
}

function ywasmImpl() {
  const Y = require('ywasm');
  return {
    version: pkgVersion('ywasm'),
    newDoc: () => new Y.YDoc({}),
    local(doc, trace) {
      const text = doc.getText('text');
      for (const txn of trace.txns) {
        const tx = doc.beginTransaction(null);
        try {
          for (const [pos, del, ins] of txn.patches) {
            if (del > 0) text.delete(pos, del, tx);
            if (ins.length > 0) text.insert(pos, ins, undefined, tx);
          }
        } finally {
          tx.free(); // commits
        }
      }
      text.free();
    },
    applyV1: (doc, u) => Y.applyUpdate(doc, u, null),
    applyV2: (doc, u) => Y.applyUpdateV2(doc, u, null),
    encodeV1: (doc) => Y.encodeStateAsUpdate(doc, undefined),
    // Every YText handle holds a reference to the document: a doc is only released once
    // all its handles are freed too (a leaked handle per load made later loads ~5x slower).
    text(doc) {
      const t = doc.getText('text');
      try {
        return t.toString(undefined);
      } finally {
        t.free();
      }
    },
    free: (doc) => doc.free(),
    wasmBytes: () => Y.__wasm.memory.buffer.byteLength,
  };
}

// diamond-types is a reference point only: not Yjs-compatible, so "remote", "encode" and "load"
// use diamond-types' own patch and file formats, and "egwalker" (Yjs v2 documents) is unsupported.
function dtImpl() {
  const DT = require('diamond-types-node');
  const localOps = (Mod, trace) => {
    const doc = new Mod.Doc('seph');
    for (const txn of trace.txns) {
      for (const [pos, del, ins] of txn.patches) {
        if (del > 0) doc.del(pos, del);
        if (ins.length > 0) doc.ins(pos, ins);
      }
    }
    return doc;
  };
  return {
    version: pkgVersion('diamond-types-node'),
    DT,
    localOps,
    wasmBytes: () => DT.__wasm.memory.buffer.byteLength,
  };
}

// ---------------------------------------------------------------- helpers

function fullGc() {
  global.gc();
  global.gc();
}
const round = (ms) => Math.round(ms * 1000) / 1000;

// Runs fn once; returns {ms, cpuMs, value}. ms is wall time; cpuMs is the CPU time of the whole
// process meanwhile (user + system, all threads: V8's GC and compiler threads count). On an
// otherwise idle machine, pinned to one core, cpuMs ~ ms; cpuMs well below ms means the
// process waited for the CPU (a busy machine).
function timed(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, value };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// Short workloads (encode, load, egwalker) take milliseconds, so a single cold call mostly
// measures the JIT (ywasm's first load in a process is ~10x its steady-state time: V8 compiles
// wasm lazily and tiers up). They run WARMUP untimed + ITERS timed iterations in this process,
// each on fresh state; `ms` is the median of the timed ones, `coldMs` the very first call.
// iter() returns {ms, cpuMs, ok, ...}; the other fields of the last iteration are kept.
function repeat(iter) {
  const ms = [], cpu = [];
  let cold = null, last = null, ok = true;
  for (let i = 0; i < WARMUP + ITERS; i++) {
    fullGc();
    last = iter();
    ok = ok && last.ok;
    if (cold === null) cold = last.ms;
    if (i >= WARMUP) {
      ms.push(last.ms);
      cpu.push(last.cpuMs);
    }
    if (process.env.TRACE_BENCH_DEBUG) process.stderr.write(`iter ${i}: ${last.ms.toFixed(2)} ms\n`);
  }
  return { ...last, ms: round(median(ms)), cpuMs: round(median(cpu)), coldMs: round(cold),
    warmup: WARMUP, iters: ITERS, ok };
}

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

const MEM_WASM = 'V8 heapUsed retained after gc + growth of the wasm linear memory ' +
  '(wasm memory never shrinks: its growth is the peak of the load, not only what is retained)';

// Memory retained by the document that load() returns: growth of V8's heapUsed between two
// full GCs, plus the growth of the wasm linear memory if any. The document is kept alive; the
// string read from it is dropped before the second measurement. Cold: one load per process.
function measureMemory(load, wasmBytes, expected) {
  const keep = [];
  fullGc();
  const heap0 = process.memoryUsage().heapUsed;
  const wasm0 = wasmBytes ? wasmBytes() : 0;
  const t = timed(() => {
    const r = load();
    keep.push(r.doc);
    return r.text;
  });
  const textOk = t.value === expected;
  t.value = null;
  fullGc();
  const heapBytes = process.memoryUsage().heapUsed - heap0;
  const out = { ms: round(t.ms), cpuMs: round(t.cpuMs), memBytes: heapBytes, heapBytes };
  if (wasmBytes) {
    out.wasmBytes = wasmBytes() - wasm0;
    out.memBytes += out.wasmBytes;
  }
  out.ok = textOk && keep.length === 1; // also keeps the document alive until here
  return out;
}

// ---------------------------------------------------------------- workloads

function run() {
  const { impl: implName, workload } = opts;
  const base = { impl: implName, trace: opts.trace, workload };
  const impl = implName === 'yjs' ? yjsImpl() : implName === 'ywasm' ? ywasmImpl() : dtImpl();
  base.version = impl.version;

  if (implName === 'dt') return runDt(impl, base);

  const trace = workload === 'egwalker' ? null : readTrace(opts.trace);

  switch (workload) {
    case 'local': {
      const doc = impl.newDoc();
      fullGc();
      const t = timed(() => impl.local(doc, trace));
      const ok = impl.text(doc) === trace.endContent;
      return { ...base, ms: round(t.ms), cpuMs: round(t.cpuMs), ok, edits: countEdits(trace), txns: trace.txns.length };
    }
    case 'remote': {
      const updates = readFramedUpdates(opts.trace);
      const doc = impl.newDoc();
      fullGc();
      const t = timed(() => {
        for (const u of updates) impl.applyV1(doc, u);
      });
      const ok = impl.text(doc) === trace.endContent;
      return { ...base, ms: round(t.ms), cpuMs: round(t.cpuMs), ok, updates: updates.length };
    }
    case 'encode': {
      // The final document is built by replaying the update stream (same items, ids and
      // merges as typing the trace locally, much faster for ywasm), then encoded.
      const doc = impl.newDoc();
      for (const u of readFramedUpdates(opts.trace)) impl.applyV1(doc, u);
      const r = repeat(() => {
        const t = timed(() => impl.encodeV1(doc));
        return { ms: t.ms, cpuMs: t.cpuMs, ok: true, enc: t.value };
      });
      const { enc, ...res } = r;
      // Check (untimed): the encoding loads back to the final text; compare with Yjs's bytes.
      const back = impl.newDoc();
      impl.applyV1(back, enc);
      const ok = r.ok && impl.text(doc) === trace.endContent && impl.text(back) === trace.endContent;
      const ref = readStateV1(opts.trace);
      const sameBytesAsYjs = enc.length === ref.length && Buffer.compare(Buffer.from(enc), Buffer.from(ref)) === 0;
      return { ...base, ...res, bytes: enc.length, ok, sameBytesAsYjs };
    }
    case 'load': {
      // The v1 encoding of the final document. For yjs and ywasm the "encode" workload checks
      // that their own encoding is byte-identical to this file (sameBytesAsYjs).
      const enc = readStateV1(opts.trace);
      const r = repeat(() => {
        let doc;
        const t = timed(() => {
          doc = impl.newDoc();
          impl.applyV1(doc, enc);
          return impl.text(doc);
        });
        impl.free(doc);
        return { ms: t.ms, cpuMs: t.cpuMs, ok: t.value === trace.endContent };
      });
      return { ...base, ...r, bytes: enc.length };
    }
    case 'memory': {
      const enc = readStateV1(opts.trace);
      const expected = trace.endContent;
      trace.txns = null; // only endContent is needed from here on
      const m = measureMemory(() => {
        const doc = impl.newDoc();
        impl.applyV1(doc, enc);
        return { doc, text: impl.text(doc) };
      }, impl.wasmBytes, expected);
      return { ...base, ...m, bytes: enc.length, memWhat: impl.wasmBytes ? MEM_WASM : impl.memWhat };
    }
    case 'egwalker': {
      const ds = opts.dataset;
      const v2 = new Uint8Array(gunzip(`egwalker-paper/datasets/${ds}.yjs.gz`));
      // Expected text (untimed): the v1 conversion made by Yjs, loaded by this implementation,
      // and, where the concurrent-trace JSON is shipped (S3), its endContent.
      const refDoc = impl.newDoc();
      impl.applyV1(refDoc, readStateV1(`egwalker-${ds}`));
      const expected = impl.text(refDoc);
      impl.free(refDoc);
      let ok = expected.length > 0;
      const json = path.join(TRACES, `egwalker-paper/datasets/${ds}.json.gz`);
      if (fs.existsSync(json)) ok = ok && expected === JSON.parse(zlib.gunzipSync(fs.readFileSync(json))).endContent;
      const r = repeat(() => {
        let doc;
        const t = timed(() => {
          doc = impl.newDoc();
          impl.applyV2(doc, v2);
          return impl.text(doc);
        });
        impl.free(doc);
        return { ms: t.ms, cpuMs: t.cpuMs, ok: t.value === expected, chars: t.value.length };
      });
      return { ...base, dataset: ds, ...r, bytes: v2.length, ok: ok && r.ok };
    }
  }
  throw new Error('unreachable');
}

function runDt(impl, base) {
  const { workload } = opts;
  const { DT } = impl;
  const note = "diamond-types' own formats; not Yjs-compatible (reference only)";
  if (workload === 'egwalker') {
    return { ...base, dataset: opts.dataset, ms: null, ok: false, skipped: true,
      note: 'diamond-types cannot load Yjs v2 documents' };
  }
  const trace = readTrace(opts.trace);
  switch (workload) {
    case 'local': {
      fullGc();
      const t = timed(() => impl.localOps(DT, trace));
      return { ...base, ms: round(t.ms), cpuMs: round(t.cpuMs), ok: t.value.get() === trace.endContent,
        edits: countEdits(trace), note: 'no transactions: one ins/del call per patch' };
    }
    case 'remote': {
      // The same trace as diamond-types' own per-transaction patches, made by a separate wasm
      // instance (untimed), merged one by one into a fresh document.
      const B = freshInstance('diamond-types-node');
      const src = new B.Doc('seph');
      const patches = [];
      let v = src.getLocalVersion();
      for (const txn of trace.txns) {
        for (const [pos, del, ins] of txn.patches) {
          if (del > 0) src.del(pos, del);
          if (ins.length > 0) src.ins(pos, ins);
        }
        patches.push(src.getPatchSince(v));
        v = src.getLocalVersion();
      }
      src.free();
      const doc = new DT.Doc('remote');
      fullGc();
      const t = timed(() => {
        for (const p of patches) doc.mergeBytes(p);
      });
      return { ...base, ms: round(t.ms), cpuMs: round(t.cpuMs), ok: doc.get() === trace.endContent,
        updates: patches.length, note };
    }
    case 'encode': {
      const doc = impl.localOps(DT, trace);
      const r = repeat(() => {
        const t = timed(() => doc.toBytes());
        return { ms: t.ms, cpuMs: t.cpuMs, ok: true, enc: t.value };
      });
      const { enc, ...res } = r;
      const ok = r.ok && DT.Doc.fromBytes(enc, 'check').get() === trace.endContent;
      return { ...base, ...res, bytes: enc.length, ok, note };
    }
    case 'load':
    case 'memory': {
      // diamond-types' own encoding, made in a separate wasm instance so that the memory of
      // this one starts fresh.
      const B = freshInstance('diamond-types-node');
      const src = impl.localOps(B, trace);
      const enc = new Uint8Array(src.toBytes());
      src.free();
      const expected = trace.endContent;
      trace.txns = null;
      if (workload === 'load') {
        const r = repeat(() => {
          let doc;
          const t = timed(() => {
            doc = DT.Doc.fromBytes(enc, 'load');
            return doc.get();
          });
          doc.free();
          return { ms: t.ms, cpuMs: t.cpuMs, ok: t.value === expected };
        });
        return { ...base, ...r, bytes: enc.length, note };
      }
      const m = measureMemory(() => {
        const doc = DT.Doc.fromBytes(enc, 'load');
        return { doc, text: doc.get() };
      }, impl.wasmBytes, expected);
      return { ...base, ...m, bytes: enc.length, memWhat: MEM_WASM, note };
    }
  }
  throw new Error('unreachable');
}

try {
  emit(run());
} catch (e) {
  emit({ impl: opts.impl, trace: opts.trace, workload: opts.workload, ms: null, ok: false,
    error: String(e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e) });
}
