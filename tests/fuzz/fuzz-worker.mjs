// Worker-thread entry for the decoder fuzzer: loads the TypeScript harness through tsx (as bin/strata.js does),
// so a hang or an out-of-memory in a decoder kills this thread, not the test runner.
import { register } from 'tsx/esm/api';

register();
await import('./fuzz-worker.ts');
