// Renders the raw lines of bench/run_load_bench.sh (one JSON object per `tandem load`
// measurement) as a Markdown table: per scenario, each metric's median over the runs for each
// server, and each peer's figure relative to tandemd's (> 1: tandemd is better).
// Usage: node bench/load_report.mjs --in FILE.jsonl [--pinned 1|0]
import fs from 'node:fs'
import os from 'node:os'
import { execSync } from 'node:child_process'

const args = process.argv.slice(2)
const opt = name => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined }
const input = opt('--in')
if (!input) { console.error('usage: node bench/load_report.mjs --in FILE.jsonl [--pinned 1|0]'); process.exit(2) }
const pinned = opt('--pinned') !== '0'

const lines = fs.readFileSync(input, 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l))
// tandemd-normal: tandemd with synchronous=normal (no fsync per commit), when it was run.
const SERVERS = ['tandemd', 'tandemd-normal', 'y-websocket-server', 'hocuspocus']
  .filter(s => s === 'tandemd' || lines.some(l => l.server === s))
const PEERS = SERVERS.filter(s => !s.startsWith('tandemd'))

// [field, label, better]: better is 'lower', 'higher' or null (no ratio).
const METRICS = {
  // Fan-out latency to the arrival of the bytes on each receiver's socket (the kernel's
  // receive timestamp) and to their integration by the receiver (after the generator's one
  // thread has read and integrated the copies before it).
  a: [['arrival_p50_ms', 'fan-out p50 to arrival (ms)', 'lower'], ['arrival_p99_ms', 'fan-out p99 to arrival (ms)', 'lower'],
    ['arrival_max_ms', 'fan-out max to arrival (ms)', 'lower'],
    ['p50_ms', 'fan-out p50 to integration (ms)', 'lower'], ['p99_ms', 'fan-out p99 to integration (ms)', 'lower'],
    ['max_ms', 'fan-out max to integration (ms)', 'lower'],
    ['arrival_stamped_share', 'deliveries timed by the kernel (share; the rest: when read)', null],
    ['deliveries_per_s', 'delivered updates/s', null], ['server_cpu_us_per_delivered_edit', 'server CPU per delivered edit (us)', 'lower'],
    ['connections_per_s', 'connections/s (setup)', 'higher'], ['server_rss_bytes', 'server RSS at end (MB)', 'lower'],
    ['server_cpu_share', 'server CPU use (share of one core)', null],
    ['server_wait_share', 'server waiting for a CPU held by others (share)', null],
    ['lost_edits', 'lost edits', null], ['converged', 'converged', null]],
  'c-hot': [['max_edits_per_s', 'max edits/s with p99 <= 100 ms', 'higher'], ['p99_ms_at_max', 'p99 at that rate (ms)', null],
    ['server_cpu_us_per_delivered_edit_at_max', 'server CPU per delivered edit at that rate (us)', 'lower'],
    ['highest_edits_per_s_tried', 'highest rate reached (edits/s)', null], ['stopped_by', 'stopped by', null]],
  d: [['bytes_per_idle_connection', 'per idle connection (KB)', 'lower'], ['bytes_per_idle_document', 'per loaded idle document (KB)', 'lower'],
    ['connections_per_s', 'connections/s (second wave)', 'higher'], ['rss_all_connected_bytes', 'server RSS, 5,000 connections (MB)', 'lower'],
    ['converged', 'converged', null]],
  'e-alone': [['p50_ms', 'time to synced p50 (ms)', 'lower'], ['max_ms', 'time to synced max (ms)', 'lower'],
    ['server_cpu_ms_per_sync', 'server CPU per sync (ms)', 'lower']],
  'e-edited': [['p50_ms', 'time to synced p50 (ms)', 'lower'], ['max_ms', 'time to synced max (ms)', 'lower'],
    ['server_cpu_ms_per_sync', 'server CPU per sync (ms)', 'lower']],
  'e-20': [['p50_ms', 'time to synced p50 (ms)', 'lower'], ['p99_ms', 'time to synced p99 (ms)', 'lower'],
    ['max_ms', 'time to synced max (ms)', 'lower'], ['server_cpu_ms_per_sync', 'server CPU per sync (ms)', 'lower']]
}
METRICS.b = METRICS.a
METRICS['c-docs'] = METRICS['c-hot']
const TITLES = {
  a: '(a) 1 doc x 50 clients, 5 typists at 10 edits/s',
  b: '(b) 100 docs x 10 clients, 1 typist each at 5 edits/s',
  'c-hot': '(c) highest sustained rate, 1 hot doc x 50 clients (5 typists)',
  'c-docs': '(c) highest sustained rate, 100 docs x 10 clients (1 typist each)',
  d: '(d) idle memory, 5,000 connections over 1,000 docs',
  'e-alone': '(e) full sync of a 100k-character doc (20k edits), one fresh client',
  'e-edited': '(e) the same, one fresh client after each edit (the document changed since the last sync)',
  'e-20': '(e) the same, 20 fresh clients at once'
}
const SCALE = { server_rss_bytes: 1 / 1048576, rss_all_connected_bytes: 1 / 1048576, bytes_per_idle_connection: 1 / 1024, bytes_per_idle_document: 1 / 1024 }

const median = xs => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 }
function value (scenario, server, field) {
  const vs = lines.filter(l => l.scenario === scenario && l.server === server && field in l).map(l => l[field])
  if (!vs.length) return undefined
  if (typeof vs[0] === 'number') return median(vs) * (SCALE[field] ?? 1)
  if (typeof vs[0] === 'boolean') return vs.every(Boolean) ? 'yes' : 'no'
  return [...new Set(vs)].join('; ')
}
const fmt = v => v === undefined ? '–' : typeof v !== 'number' ? String(v) : Number.isInteger(v) ? v.toLocaleString('en-US')
  : Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2)
function ratio (t, p, better) {
  if (!better || typeof t !== 'number' || typeof p !== 'number' || t <= 0 || p <= 0) return '–'
  return (better === 'lower' ? p / t : t / p).toFixed(2)
}

const out = []
let commit = 'unknown'
try { commit = execSync('git rev-parse --short HEAD', { cwd: new URL('..', import.meta.url).pathname }).toString().trim() } catch {}
out.push('# Load benchmark: tandemd vs y-websocket-server vs Hocuspocus', '')
out.push(`Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), ` +
  `Node ${process.version}, commit ${commit}; ${pinned ? 'server pinned to one core, `tandem load` to another' : 'not pinned'}. ` +
  'Medians over the runs; ratio columns: the peer\'s figure relative to tandemd\'s, > 1 means tandemd is better. ' +
  'Server CPU per delivered edit = server CPU time / edits delivered to receivers.', '')
for (const scenario of Object.keys(TITLES)) {
  if (!lines.some(l => l.scenario === scenario)) continue
  out.push(`## ${TITLES[scenario]}`, '')
  out.push(`| metric | ${SERVERS.join(' | ')} | ${PEERS.map(p => p + ' / tandemd').join(' | ')} |`)
  out.push(`|---|${SERVERS.map(() => '---:').join('|')}|${PEERS.map(() => '---:').join('|')}|`)
  for (const [field, label, better] of METRICS[scenario]) {
    const vals = SERVERS.map(s => value(scenario, s, field))
    out.push(`| ${label} | ${vals.map(fmt).join(' | ')} | ${PEERS.map(p => ratio(vals[0], vals[SERVERS.indexOf(p)], better)).join(' | ')} |`)
  }
  const floors = lines.filter(l => l.scenario === 'floor-' + scenario).map(l => l.sender_cpu_us_per_write)
  if (floors.length) {
    out.push('', `The kernel's floor in this shape, same run (bench/fanout_floor: a sender that only writes a ` +
      `${lines.find(l => l.scenario === 'floor-' + scenario).bytes}-byte message to each receiver's loopback socket): ` +
      `${fmt(median(floors))} us of CPU per write (median of ${floors.length}).`)
  }
  const notes = lines.filter(l => l.scenario === scenario && (l.error || l.skipped))
  for (const n of notes) out.push('', `- ${n.server}: ${n.error ? 'failed: ' + n.error : 'skipped: ' + n.skipped}`)
  out.push('')
}
const errors = lines.filter(l => l.error && !TITLES[l.scenario])
for (const n of errors) out.push(`- ${n.server} scenario ${n.scenario}: failed: ${n.error}`)
process.stdout.write(out.join('\n') + '\n')
