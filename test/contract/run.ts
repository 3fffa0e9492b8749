/**
 * `npm run test:contract [-- --strict] [-- --proxy] [-- --junit <file>]`: the contract suite as
 * a command, against a fresh mock or the deployment the CHATTING_* variables name (target.ts).
 * Exits 1 when a case fails (or, with --strict, on drift), 2 when it cannot run at all.
 */
import { runSuite } from './runner';

const USAGE = `usage: npm run test:contract [-- --strict] [-- --proxy] [-- --junit <file>]
  --strict       drift (a field or an error code the contract does not know) fails the run
  --proxy        send every request through \`prism proxy --errors openapi.yaml <target>\`
  --junit <file> JUnit XML (default reports/contract-junit.xml)
target: a fresh mock, or CHATTING_BASE_URL + CHATTING_API_KEY (see README, "The contract suite")`;

function parse(argv: string[]): { strict: boolean; proxy: boolean; junit: string } | null {
  const options = { strict: false, proxy: false, junit: 'reports/contract-junit.xml' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--strict') options.strict = true;
    else if (argv[i] === '--proxy') options.proxy = true;
    else if (argv[i] === '--junit' && argv[i + 1]) options.junit = argv[++i];
    else return null;
  }
  return options;
}

const options = parse(process.argv.slice(2));
if (!options) {
  console.error(USAGE);
  process.exitCode = 2;
} else {
  runSuite(options).then(
    (report) => {
      process.exitCode = report.ok ? 0 : 1;
    },
    (error: unknown) => {
      console.error(`the contract suite could not run: ${(error as Error).message}`);
      process.exitCode = 2;
    },
  );
}
