// Runs a benchmark process and measures it from outside: wall time, the peak resident set size
// of its whole process tree (sampled from /proc, so a CLI that forks an engine is counted in
// full), and every stdout line with the time it arrived (time-to-accuracy reads those stamps).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const PAGE_SIZE = 4096;

/** pid → ppid for every process visible in /proc. */
function parentMap() {
  const map = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid ..." — comm may contain spaces and parentheses.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      map.set(Number(name), Number(rest[1]));
    } catch {
      // the process ended between readdir and read
    }
  }
  return map;
}

/** Resident bytes of `root` and all its descendants, or 0 when /proc cannot be read. */
export function treeRssBytes(root) {
  let parents;
  try {
    parents = parentMap();
  } catch {
    return 0;
  }
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let pages = 0;
  for (const pid of tree) {
    try {
      pages += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    } catch {
      // gone
    }
  }
  return pages * PAGE_SIZE;
}

/**
 * Spawns `cmd args`, samples the tree's RSS every `sampleMs`, and resolves when it exits.
 * `onLine(line, secondsSinceSpawn, child)` sees each stdout line as it arrives (it may kill the
 * child, e.g. once a target accuracy is reached). stderr is kept (its tail) for error messages.
 *
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, onLine?: (line: string, seconds: number, child: import('node:child_process').ChildProcess) => unknown, sampleMs?: number, timeoutS?: number, log?: (line: string) => void }} [options]
 */
export function runMeasured(cmd, args, { cwd, env, onLine, sampleMs = 200, timeoutS = 0, log } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const since = () => Number(process.hrtime.bigint() - t0) / 1e9;
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    const rssSamples = [];
    const sample = () => {
      const rss = treeRssBytes(child.pid);
      if (rss > peak) peak = rss;
      rssSamples.push([since(), rss]);
    };
    const timer = setInterval(sample, sampleMs);
    const killer =
      timeoutS > 0
        ? setTimeout(() => {
            log?.(`timeout after ${timeoutS}s: killing ${cmd}`);
            child.kill('SIGKILL');
          }, timeoutS * 1000)
        : null;
    const lines = [];
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const t = since();
        lines.push({ t, line });
        if (line.trim().startsWith('{')) sample(); // RSS at each event (e.g. epochEnd)
        lines[lines.length - 1].rss = rssSamples[rssSamples.length - 1]?.[1];
        onLine?.(line, t, child);
      }
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-20000);
    });
    child.on('error', (e) => {
      clearInterval(timer);
      if (killer) clearTimeout(killer);
      reject(new Error(`${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearInterval(timer);
      if (killer) clearTimeout(killer);
      if (buf) lines.push({ t: since(), line: buf });
      resolve({ code, signal, wallSeconds: since(), peakRssBytes: peak, rssSamples, lines, stderr });
    });
  });
}

/** The JSON objects among a run's stdout lines, each with the time it arrived. */
export function jsonLines(run) {
  const out = [];
  for (const { t, line, rss } of run.lines) {
    const s = line.trim();
    if (!s.startsWith('{')) continue;
    try {
      out.push({ t, rss, value: JSON.parse(s) });
    } catch {
      // a progress line that merely starts with a brace
    }
  }
  return out;
}

export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
