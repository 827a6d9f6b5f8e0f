import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import type { TestProject } from 'vitest/node';

/**
 * vitest's globalSetup: builds src/ once per run, as `npm run build` does, into
 * a fresh temporary folder (never into the working tree's dist/), and hands
 * its path to the tests that start the built gateway (`inject('builtGateway')`).
 * The folder holds dist/, a copy of package.json (the built code reads
 * ../package.json for its version) and a link to the repository's node_modules.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** The temporary folder the gateway was built into: `<it>/dist/main.js` is what `npm start` runs. */
    builtGateway: string;
  }
}

const root = new URL('../../', import.meta.url).pathname;

/** package.json's "build" script, option for option. */
const BUILD_SCRIPT =
  'esbuild "src/**/*.ts" --outdir=dist --platform=node --format=esm --target=node20 --sourcemap --log-level=warning';

function buildOptions(outdir: string): BuildOptions {
  return {
    entryPoints: [join(root, 'src/**/*.ts')],
    outdir,
    outbase: join(root, 'src'),
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  };
}

/**
 * Processes still running this run's build when the run ends: a test that left
 * one behind. They are named (so that the test gets fixed) and killed by id.
 */
function killLeftovers(folder: string): void {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return; // no /proc: nothing to look through
  }
  for (const pid of pids) {
    let commandLine: string;
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    if (!commandLine.includes(folder)) continue;
    console.warn(`A test left the built gateway running (pid ${pid}: ${commandLine.trim()}); killing it.`);
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

export default async function buildGateway(project: TestProject): Promise<() => void> {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { build: string } };
  if (manifest.scripts.build !== BUILD_SCRIPT) {
    throw new Error(
      `package.json's build script is now ${JSON.stringify(manifest.scripts.build)}: make test/helpers/build-gateway.ts build the same way`,
    );
  }
  const folder = mkdtempSync(join(tmpdir(), 'graph8-gateway-build-'));
  try {
    await build(buildOptions(join(folder, 'dist')));
    copyFileSync(join(root, 'package.json'), join(folder, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(folder, 'node_modules'), 'dir');
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  project.provide('builtGateway', folder);
  return () => {
    killLeftovers(folder);
    rmSync(folder, { recursive: true, force: true });
  };
}
