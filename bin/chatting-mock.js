#!/usr/bin/env node
// The chatting-mock command: the compiled CLI (`npm run build` makes dist/).
const { main } = require('../dist/mock-server/cli.js');

main(process.argv.slice(2)).catch((error) => {
  console.error(`chatting-mock: ${error.message}`);
  process.exit(1);
});
