import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const packageJson = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'),
) as { engines: { node: string }; devDependencies: Record<string, string> };

test(`the tests run on Node 22, the runtime Zapier runs apps on (this is ${process.version})`, () => {
  assert.match(process.version, /^v22\./);
});

test('the Node 22 the scripts run on is the pinned dev dependency, not one installed by hand', () => {
  assert.match(packageJson.devDependencies.node, /^22\.\d+\.\d+$/);
  assert.equal(process.version, `v${packageJson.devDependencies.node}`);
  // npm itself may run on an older Node (it only installs and starts scripts), so engines
  // names what npm needs, not what the scripts run on: no EBADENGINE on every npx.
  assert.equal(packageJson.engines.node, '>=20');
});
