#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=50
// The chatting-mock command: the compiled CLI (`npm run build` makes dist/). The flags bound its
// memory (docs/performance.md): V8's young generation at 2 x 4 MB (left to grow to its default
// 2 x 16 MB under load, it stayed that big for the server's life, 20-25 MB of RSS, at the same
// throughput), and the old one grown by half after a full collection, not up to four times (a
// flood of large requests took RSS up by ~100 MB instead of ~50).
require('../dist/mock-server/cli.js').run(process.argv.slice(2));
