/* global setTimeout */
// Preloaded (node --expose-gc -r) into a mock server that bench/store.ts measures: asked 'rss'
// over the IPC channel, it collects garbage, stays idle 2 s, collects again and answers its RSS.
process.on('message', (message) => {
  if (message !== 'rss') return;
  globalThis.gc();
  setTimeout(() => {
    globalThis.gc();
    process.send({ rss: process.memoryUsage().rss });
  }, 2000);
});
