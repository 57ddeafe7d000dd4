#!/usr/bin/env node
/**
 * Builds a real-text corpus from files already on this machine (no downloads), for
 * measuring sampled mode: five domains of natural text and code, tokenized by a simple
 * deterministic word-level tokenizer, written as raw u16 token files with separator 0.
 *
 *   node scripts/make-real-corpus.mjs OUT_DIR [--max-tokens 3000000]
 *
 * Domains (documents = files, in sorted path order, cut into pieces of at most 8192 tokens):
 *   manuals     English man pages, /usr/share/man/man[1-8]/*.gz (roff source)
 *   python      Python sources under /usr/lib/python3* and /usr/local/lib/python3*
 *   headers     C headers under /usr/include
 *   changelogs  Debian changelogs and text docs under /usr/share/doc
 *   legal       /usr/share/common-licenses and /usr/share/doc/* /copyright
 * Tokenizer: words, numbers, whitespace runs and single punctuation characters; the
 * 60000 most frequent over all domains get ids 1..60000, anything else is spelled as
 * bytes (ids 60001..60256). Writes OUT_DIR/bimix.json and OUT_DIR/stats.json.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node scripts/make-real-corpus.mjs OUT_DIR [--max-tokens N]\n');
  process.exit(2);
}
const mi = process.argv.indexOf('--max-tokens');
const MAX_TOKENS = mi > 0 ? Number(process.argv[mi + 1]) : 3_000_000;
const VOCAB = 60000;
const MAX_DOC = 8192;

function walk(dir, keep, acc = []) {
  let names;
  try {
    names = readdirSync(dir).sort();
  } catch {
    return acc;
  }
  for (const n of names) {
    const p = path.join(dir, n);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(p, keep, acc);
    else if (st.isFile() && keep(p)) acc.push(p);
  }
  return acc;
}

function readText(p) {
  try {
    const b = readFileSync(p);
    return (p.endsWith('.gz') ? gunzipSync(b) : b).toString('utf8');
  } catch {
    return '';
  }
}

const pythonRoots = [...readdirSync('/usr/lib').filter((n) => n.startsWith('python3')).map((n) => `/usr/lib/${n}`)];
try {
  pythonRoots.push(...readdirSync('/usr/local/lib').filter((n) => n.startsWith('python3')).map((n) => `/usr/local/lib/${n}`));
} catch {}

const DOMAINS = {
  manuals: () => [1, 2, 3, 4, 5, 6, 7, 8].flatMap((s) => walk(`/usr/share/man/man${s}`, (p) => p.endsWith('.gz'))),
  python: () => pythonRoots.flatMap((r) => walk(r, (p) => p.endsWith('.py'))),
  headers: () => walk('/usr/include', (p) => p.endsWith('.h')),
  changelogs: () => walk('/usr/share/doc', (p) => /changelog[^/]*\.gz$|\.(md|txt)$/i.test(p)),
  legal: () => [...walk('/usr/share/common-licenses', () => true), ...walk('/usr/share/doc', (p) => path.basename(p) === 'copyright')],
};

const TOKEN = /[A-Za-z]+|[0-9]+|\s+|[^\sA-Za-z0-9]/gu;
const texts = {};
const freq = new Map();
for (const [name, list] of Object.entries(DOMAINS)) {
  const docs = [];
  let approx = 0;
  for (const file of list()) {
    const t = readText(file);
    if (!t) continue;
    const toks = t.match(TOKEN) ?? [];
    if (toks.length === 0) continue;
    // Long files (changelogs, big headers) become documents of at most MAX_DOC tokens, as
    // pretraining pipelines cut them; otherwise a domain would have only a few dozen documents.
    for (let i = 0; i < toks.length; i += MAX_DOC) docs.push(toks.slice(i, i + MAX_DOC));
    approx += toks.length;
    if (approx >= MAX_TOKENS) break;
  }
  texts[name] = docs;
  for (const d of docs) for (const w of d) freq.set(w, (freq.get(w) ?? 0) + 1);
}
const ranked = [...freq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
const ids = new Map(ranked.slice(0, VOCAB).map(([w], i) => [w, i + 1]));

mkdirSync(out, { recursive: true });
const config = { domains: {} };
const stats = {};
for (const [name, docs] of Object.entries(texts)) {
  const seq = [];
  let written = 0;
  for (const d of docs) {
    written += 1;
    for (const w of d) {
      const id = ids.get(w);
      if (id !== undefined) seq.push(id);
      else for (const b of Buffer.from(w, 'utf8')) seq.push(VOCAB + 1 + b);
    }
    seq.push(0);
    if (seq.length >= MAX_TOKENS) break;
  }
  mkdirSync(path.join(out, name), { recursive: true });
  writeFileSync(path.join(out, name, `${name}.bin`), Buffer.from(Uint16Array.from(seq).buffer));
  config.domains[name] = { globs: [`${name}/*.bin`], format: 'raw', dtype: 'u16', eos: 0 };
  stats[name] = { documents: written, tokens: seq.length };
}
writeFileSync(path.join(out, 'bimix.json'), `${JSON.stringify(config, null, 2)}\n`);
writeFileSync(path.join(out, 'stats.json'), `${JSON.stringify(stats, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(stats)}\n`);
