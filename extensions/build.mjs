// Bundles every UI extension target the way Shopify ships it (one self-contained ES module per
// target) so the 64 KB limit is checked here, long before `shopify app deploy` refuses a bundle.
//
//   APP_URL=https://<your app's host> npm run build:extensions
//   node extensions/build.mjs --outdir DIR      (bundles go to DIR/<ext>/ instead; used by tests)
//   node extensions/build.mjs --dotenv FILE     (read APP_URL from FILE instead of ./.env)
//   node extensions/build.mjs --check-deploy    (refuse: a Flow action's runtime_url is not APP_URL's)
//
// The backend's URL is compiled into the bundles, and there is no placeholder: without a real
// APP_URL the build fails. It comes from the environment or, as `shopify app deploy` takes it, from
// the app's `.env` file beside shopify.app.toml (the Shopify CLI defines that file's variables as
// `process.env.*` in the bundles it ships; under `shopify app dev` it sets APP_URL to its tunnel).
//
// The Flow action's `runtime_url` (extensions/flow-*/shopify.extension.toml) is Shopify's to call,
// so it too must be the deployment's URL: the build writes APP_URL + the action's path into it (into
// DIR/<ext>/shopify.extension.toml under --outdir), and `--check-deploy` (run by `npm run deploy`
// before `shopify app deploy`) fails while it still names a reserved host (RFC 2606 / RFC 6761
// names, as the committed placeholder does) or another host than APP_URL.
//
// Each `[[extensions.targeting]]` module of `extensions/<ext>/shopify.extension.toml` becomes
// `extensions/<ext>/dist/<ModuleName>.js`. Exits non-zero when a bundle is over the limit.
import {mkdir, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises';
import {basename, dirname, extname, join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {gzipSync} from 'node:zlib';

import * as esbuild from 'esbuild';

// Shopify rejects a UI extension whose compiled script is larger than 64 KB.
export const BUNDLE_LIMIT_BYTES = 64 * 1024;

const extensionsDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(extensionsDir, '..');

/**
 * The targets of one `shopify.extension.toml`: `[{target, module}]`, in file order.
 * Our own toml files only need this much of the format: table headers and `key = "string"` lines.
 */
export function readTargeting(tomlText) {
  const targets = [];
  let current = null;
  for (const raw of tomlText.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (line.startsWith('[')) {
      current = line === '[[extensions.targeting]]' ? {} : null;
      if (current) targets.push(current);
      continue;
    }
    const match = current && line.match(/^(target|module)\s*=\s*"([^"]*)"$/);
    if (match) current[match[1]] = match[2];
  }
  return targets.filter((entry) => entry.target && entry.module);
}

/** `KEY=value` lines of a dotenv file (quotes stripped, comments and blank lines skipped). */
export function readDotenv(text) {
  const variables = {};
  for (const raw of text.split(/\r?\n/)) {
    const match = raw.match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/);
    if (!match) continue;
    variables[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return variables;
}

// The path of the "Adjust TESmart points" endpoint (plugin/integrations/flow.py).
export const FLOW_ACTION_PATH = '/integrations/flow/adjust-points';
const RUNTIME_URL_LINE = /^(\s*runtime_url\s*=\s*)"([^"]*)"(.*)$/m;

/** The `runtime_url` of a flow_action toml, or null when the file declares none. */
export function readRuntimeUrl(tomlText) {
  const match = tomlText.match(RUNTIME_URL_LINE);
  return match ? match[2] : null;
}

/** The toml with its `runtime_url` set to APP_URL + the action's path (the rest left as written). */
export function withRuntimeUrl(tomlText, url) {
  return tomlText.replace(RUNTIME_URL_LINE, (_, head, _old, tail) => `${head}"${url}${FLOW_ACTION_PATH}"${tail}`);
}

/** Why a runtime_url must not be deployed, or null when it is APP_URL's https endpoint. */
export function runtimeUrlProblem(runtimeUrl, url) {
  let parsed;
  try {
    parsed = new URL(runtimeUrl);
  } catch {
    return `runtime_url ${JSON.stringify(runtimeUrl)} is not a URL`;
  }
  const host = parsed.hostname.toLowerCase();
  if (/(^|\.)(example|invalid|test|localhost)$/.test(host) || /^example\.(com|net|org)$/.test(host)) {
    return `runtime_url ${runtimeUrl} is a placeholder (reserved host ${host}): run the build with APP_URL set`;
  }
  if (parsed.protocol !== 'https:') return `runtime_url ${runtimeUrl} must be https (Shopify Flow only calls https)`;
  if (`${url}${FLOW_ACTION_PATH}` !== runtimeUrl) {
    return `runtime_url ${runtimeUrl} is not APP_URL's endpoint ${url}${FLOW_ACTION_PATH}: run the build again`;
  }
  return null;
}

async function flowActions() {
  const found = [];
  for (const entry of await readdir(extensionsDir, {withFileTypes: true})) {
    if (!entry.isDirectory()) continue;
    const file = join(extensionsDir, entry.name, 'shopify.extension.toml');
    let toml;
    try {
      toml = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    if (/^\s*type\s*=\s*"flow_action"/m.test(toml)) found.push({name: entry.name, file, toml});
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

async function appUrl(dotenvPath) {
  let url = process.env.APP_URL || '';
  let source = 'APP_URL';
  if (!url) {
    try {
      url = readDotenv(await readFile(dotenvPath, 'utf8')).APP_URL || '';
      source = `APP_URL in ${dotenvPath}`;
    } catch {
      url = '';
    }
  }
  url = url.trim().replace(/\/+$/, '');
  if (!url) {
    throw new Error(
      'APP_URL is not set: the extensions would ship without a backend and render nothing. ' +
        `Export APP_URL=https://<your app's host>, or put APP_URL=... in ${dotenvPath} ` +
        '(the file `shopify app deploy` reads).',
    );
  }
  if (!/^https?:\/\/[^/\s]+/.test(url)) {
    throw new Error(`${source} must be an absolute http(s) URL, got ${JSON.stringify(url)}`);
  }
  return url;
}

async function uiExtensions() {
  const found = [];
  for (const entry of await readdir(extensionsDir, {withFileTypes: true})) {
    if (!entry.isDirectory()) continue;
    const dir = join(extensionsDir, entry.name);
    let toml;
    try {
      toml = await readFile(join(dir, 'shopify.extension.toml'), 'utf8');
    } catch {
      continue;
    }
    const targets = readTargeting(toml);
    // A theme app extension has no targeting modules: nothing to bundle.
    if (targets.length) found.push({name: entry.name, dir, targets});
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

function pathOption(argv, name) {
  const index = argv.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (index < 0) return null;
  const value = argv[index].includes('=') ? argv[index].split('=').slice(1).join('=') : argv[index + 1];
  if (!value) throw new Error(`${name} needs a path`);
  return resolve(value);
}

async function buildExtension(extension, url, outRoot) {
  const outdir = outRoot ? join(outRoot, extension.name) : join(extension.dir, 'dist');
  await rm(outdir, {recursive: true, force: true});
  const entryPoints = extension.targets.map((t) => resolve(extension.dir, t.module));
  const names = entryPoints.map((file) => basename(file, extname(file)));
  if (new Set(names).size !== names.length) {
    throw new Error(`${extension.name}: two targets share a module name (${names.join(', ')})`);
  }
  await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints,
    outdir,
    entryNames: '[name]',
    bundle: true,
    // One complete module per target: Shopify loads each target's script on its own.
    splitting: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: {
      'process.env.APP_URL': JSON.stringify(url),
      'process.env.NODE_ENV': '"production"',
    },
    legalComments: 'none',
    logLevel: 'warning',
  });
  const bundles = [];
  for (const [index, target] of extension.targets.entries()) {
    const file = join(outdir, `${names[index]}.js`);
    const bytes = (await stat(file)).size;
    const gzip = gzipSync(await readFile(file)).length;
    bundles.push({extension: extension.name, target: target.target, file, bytes, gzip});
  }
  return bundles;
}

function shown(file) {
  const path = relative(process.cwd(), file);
  return path.startsWith('..') ? file : path;
}

async function checkDeploy(url) {
  const problems = [];
  for (const action of await flowActions()) {
    const runtimeUrl = readRuntimeUrl(action.toml);
    const problem = runtimeUrl === null ? 'no runtime_url' : runtimeUrlProblem(runtimeUrl, url);
    if (problem) problems.push(`${shown(action.file)}: ${problem}`);
    else console.log(`ok      ${shown(action.file)} runtime_url=${runtimeUrl}`);
  }
  for (const problem of problems) console.error(problem);
  return problems.length ? 1 : 0;
}

async function writeRuntimeUrls(url, outRoot) {
  for (const action of await flowActions()) {
    const target = outRoot ? join(outRoot, action.name, 'shopify.extension.toml') : action.file;
    if (outRoot) await mkdir(dirname(target), {recursive: true});
    await writeFile(target, withRuntimeUrl(action.toml, url), 'utf8');
    console.log(`ok      ${shown(target)} runtime_url=${url}${FLOW_ACTION_PATH}`);
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const url = await appUrl(pathOption(argv, '--dotenv') || join(repoRoot, '.env'));
  if (argv.includes('--check-deploy')) return checkDeploy(url);
  const outRoot = pathOption(argv, '--outdir');
  await writeRuntimeUrls(url, outRoot);
  const extensions = await uiExtensions();
  if (!extensions.length) {
    console.error('No UI extensions with [[extensions.targeting]] found under extensions/.');
    return 1;
  }
  let failed = false;
  console.log(`APP_URL=${url}`);
  for (const extension of extensions) {
    const bundles = await buildExtension(extension, url, outRoot);
    for (const bundle of bundles) {
      const over = bundle.bytes > BUNDLE_LIMIT_BYTES;
      failed ||= over;
      const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
      console.log(
        `${over ? 'TOO BIG' : 'ok     '} ${shown(bundle.file).padEnd(48)} ` +
          `${String(bundle.bytes).padStart(6)} B (${kb(bundle.bytes)}, ${kb(bundle.gzip)} gzip)  ` +
          `${bundle.target}`,
      );
    }
  }
  if (failed) {
    console.error(`At least one bundle is over Shopify's ${BUNDLE_LIMIT_BYTES}-byte limit.`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
