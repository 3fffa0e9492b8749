#!/usr/bin/env -S node --max-semi-space-size=4
// The chatting-mock command: the compiled CLI (`npm run build` makes dist/). The flag caps V8's
// young generation at 2 x 4 MB: left to grow to its default 2 x 16 MB under load, it stayed that
// big for the server's life, 20-25 MB of RSS, while its throughput was the same (docs/performance.md).
require('../dist/mock-server/cli.js').run(process.argv.slice(2));
