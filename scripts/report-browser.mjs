/**
 * Opens a bimix HTML report in Debian's headless Chromium through playwright-core, with every
 * request that is not the page file itself aborted and counted. Never downloads a browser.
 * Used by test/report-html-browser.test.ts and scripts/report-bench.mjs.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where Debian's `chromium` package puts the browser (override with BIMIX_CHROMIUM). */
export const CHROMIUM = process.env.BIMIX_CHROMIUM ?? '/usr/bin/chromium';

/** True when a browser is installed. */
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** Headless, and nothing of Chromium's own talks to the network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * CPU seconds (user + system) used so far by the browser processes of one profile, found by their
 * command line in /proc (Linux); null elsewhere. Unlike wall time, it does not grow when other
 * processes compete for the cores. Processes that already exited are not counted.
 */
function browserCpuSeconds(profile) {
  let ticks = 0;
  let found = false;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(profile)) continue;
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(fields[11]) + Number(fields[12]);
        found = true;
      } catch {
        /* the process ended meanwhile */
      }
    }
  } catch {
    return null;
  }
  // USER_HZ is 100 on Linux.
  return found ? ticks / 100 : null;
}

/**
 * Opens `file` in a fresh profile and waits until the page says its charts are done.
 * @returns the page, the blocked requests, console and page errors, the render time in ms, metrics() and close().
 */
export async function openReport(file, viewport = { width: 1400, height: 1000 }) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(tmpdir(), 'bimix-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
  const url = pathToFileURL(path.resolve(file)).href;
  const blocked = [];
  const consoleErrors = [];
  const pageErrors = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    blocked.push(u);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // Chromium's own counters (TaskDuration: main-thread busy time), collected from before navigation.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const cpu0 = browserCpuSeconds(profile);
  const t0 = performance.now();
  try {
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('html[data-charts="done"]', { state: 'attached', timeout: 60_000 });
  } catch (e) {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const renderMs = performance.now() - t0;
  const cpu1 = browserCpuSeconds(profile);
  const renderCpuMs = cpu0 !== null && cpu1 !== null ? 1000 * (cpu1 - cpu0) : null;
  return {
    page,
    blocked,
    consoleErrors,
    pageErrors,
    renderMs,
    /** CPU milliseconds the browser spent from navigation to every chart drawn (Linux; null elsewhere). */
    renderCpuMs,
    /** Chromium's performance counters by name (seconds for durations). */
    async metrics() {
      return Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
