import { printTable } from './lib/processes.js';
import { runSoak } from './lib/soak.js';

/** `npm run soak`: 50,000 contacts through concurrent assertContacts under faults; exits 1 on any discrepancy. */
const contacts = Number(process.env.SOAK_CONTACTS ?? 50_000);
const mutations = Number(process.env.SOAK_MUTATIONS ?? 10);
const faults = {
  latencyMs: 5,
  errorRate: 0.1,
  rateLimitPerSecond: 150,
  resetRate: 0.05,
  spikeRate: 0.02,
  spikeMs: 400,
};

const report = await runSoak({ contacts, mutations, faults, concurrency: 4 });
printTable(`Fault soak: ${contacts} contacts in ${mutations} concurrent mutations; faults ${JSON.stringify(faults)}`, [
  {
    contacts: report.contacts,
    people: report.people,
    created: report.created,
    updated: report.updated,
    failed: report.failed,
    folded: report.deduplicated,
    chunks: report.chunks,
    'upstream attempts': report.upstreamAttempts,
    retries: report.retries,
    'time ms': report.durationMs,
    problems: report.problems.length,
  },
]);
for (const problem of report.problems.slice(0, 20)) console.log(`problem: ${problem}`);
process.exit(report.problems.length === 0 ? 0 : 1);
