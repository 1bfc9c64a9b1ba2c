// Worker threads start without the tsx loader the main thread has; register it, then run the
// TypeScript worker (as src/campaign/workerEntry.mjs does for the campaign).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
