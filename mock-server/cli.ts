/** The chatting-mock command. The server itself is the next milestone; until then it says so. */
console.error('chatting-mock: the mock server is not built yet (see the open issues).');
process.exitCode = 1;
