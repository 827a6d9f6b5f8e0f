/** `npm run bench`: every benchmark in turn, or the ones named (`npm run bench -- bulk`). */
const benchmarks: Record<string, () => Promise<unknown>> = {
  single: () => import('./single.js'),
  bulk: () => import('./bulk.js'),
  memory: () => import('./memory.js'),
  app: () => import('./app.js'),
  deals: () => import('./deals.js'),
  imports: () => import('./imports.js'),
  budget: () => import('./budget.js'),
};

const chosen = process.argv.slice(2);
for (const name of chosen.length > 0 ? chosen : Object.keys(benchmarks)) {
  const run = benchmarks[name];
  if (!run) throw new Error(`no benchmark called ${name}; there are: ${Object.keys(benchmarks).join(', ')}`);
  await run();
}
