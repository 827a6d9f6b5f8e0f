// The worker thread's entry: Node 20 cannot load TypeScript on its own, so tsx is registered here first.
import { register } from 'tsx/esm/api';

register();
await import('./shared-budget-upstream.ts');
