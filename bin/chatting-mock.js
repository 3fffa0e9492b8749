#!/usr/bin/env node
// The chatting-mock command: the compiled CLI (`npm run build` makes dist/).
require('../dist/mock-server/cli.js').run(process.argv.slice(2));
