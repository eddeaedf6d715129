import { setFlagsFromString } from 'node:v8';

/**
 * V8's allocation-site pretenuring off. Under load V8 took pg's per-row objects (the row buffers, dates and
 * result rows of every query) for long-lived and allocated them in the old generation, where they died: the
 * old generation filled in seconds, scavenges took 5-20 ms instead of 1-2 ms and major collections came
 * several times a minute, and the p99 latency of `npm run bench:service` jumped by 1.5-3× in some rounds
 * (found with `BENCH_NODE_ARGS=--trace-gc` and a heap sample of the objects that major collections freed).
 * A request's objects live for a request; none of them gains from being pretenured.
 *
 * Set in code rather than on the `node` command line (NODE_OPTIONS refuses it) so that every way the
 * service starts (`npm run service`, the image, the benchmark's baseline too) runs the same;
 * `service/main.ts` imports this module first, and V8 reads the setting at each collection.
 */
setFlagsFromString('--no-allocation-site-pretenuring');
