/**
 * A release snapshot: what Zapier keeps of one version and what live Zaps depend on.
 *
 * - `definition`: the app definition exactly as `zapier-platform build` writes it into
 *   build.zip's definition.json (zapier-platform-core's own serialisation: functions become
 *   `$func$…$f$` markers, everything else as declared).
 * - `triggerResults`: for each hook trigger, payloads made from its sample and the result id
 *   `perform` gives each. Zapier deduplicates a trigger's results by that id, and the id is
 *   derived in code, so the definition alone cannot show a change to it; running the new
 *   `perform` on the released payloads can (probePayloads says which payloads).
 *
 * Snapshots live in releases/<version>.json, written by `npm run release`, so the guard needs no
 * network and no Zapier account.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { readSchema } from '../../schemas/catalog';

export const REPO = path.resolve(__dirname, '..', '..');
export const RELEASES_DIR = path.join(REPO, 'releases');

/** A JSON value of the serialised definition. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface TriggerResult {
  /** The webhook body `perform` was given (a released sample, without the fields the app adds). */
  payload: JsonObject;
  /** The id of the result, or null when `perform` gave none. */
  id: string | null;
  /** Why `perform` failed on this payload, when it did. */
  error?: string;
}

export interface ReleaseSnapshot {
  version: string;
  definition: JsonObject;
  triggerResults: Record<string, TriggerResult[]>;
}

/** The app as zapier-platform-core sees it: the loaded index.js plus the functions it needs. */
interface LoadedApp {
  definition: JsonObject;
  /** Runs a hook trigger's perform on one delivered payload; the ids of what it returns. */
  performHook: (triggerKey: string, payload: JsonObject) => Promise<(string | null)[]>;
}

interface CoreSchemaTools {
  prepareApp: (app: unknown) => unknown;
  serializeApp: (compiledApp: unknown) => JsonObject;
}

type Perform = (z: unknown, bundle: unknown) => unknown;
type AppTester = (perform: Perform, bundle: unknown) => Promise<unknown>;

/**
 * Loads the compiled app from `appDir`'s index.js, as the CLI does (a child of the repo or a
 * copy of it; the caller compiles first).
 */
export function loadApp(appDir: string = REPO): LoadedApp {
  // zapier-platform-core prints a memory report after each call unless NODE_ENV says test.
  process.env.NODE_ENV ??= 'test';
  /* eslint-disable @typescript-eslint/no-require-imports -- the app and core's tools are loaded
     from appDir at run time, as zapier-platform's own commands load them */
  const app = require(path.join(appDir, 'index.js')) as {
    triggers?: Record<string, { operation: { perform: Perform } }>;
  };
  const core = require(require.resolve('zapier-platform-core', { paths: [appDir] })) as {
    createAppTester: (app: unknown) => AppTester;
  };
  const schemaTools = require(
    require.resolve('zapier-platform-core/src/tools/schema', { paths: [appDir] }),
  ) as CoreSchemaTools;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const appTester = core.createAppTester(app);
  return {
    definition: schemaTools.serializeApp(schemaTools.prepareApp(app)),
    performHook: async (triggerKey, payload) => {
      const perform = app.triggers?.[triggerKey]?.operation.perform;
      if (!perform) return [];
      const results = await appTester(perform, { inputData: {}, cleanedRequest: payload });
      return (Array.isArray(results) ? results : []).map((result) => {
        const id = (result as { id?: unknown } | null)?.id;
        return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
      });
    },
  };
}

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The hook triggers of a definition, with their samples. */
function hookSamples(definition: JsonObject): Record<string, JsonObject> {
  const triggers = isObject(definition.triggers) ? definition.triggers : {};
  const samples: Record<string, JsonObject> = {};
  for (const [key, trigger] of Object.entries(triggers)) {
    if (!isObject(trigger) || !isObject(trigger.operation)) continue;
    const { type, sample } = trigger.operation;
    if (type === 'hook' && isObject(sample)) samples[key] = sample;
  }
  return samples;
}

/**
 * Runs the app's hook triggers on payloads: a released snapshot's (to see whether the same
 * deliveries still get the same ids), or, for a new snapshot, those made from the samples of its
 * own definition (probePayloads).
 */
export async function triggerResultsOf(
  app: LoadedApp,
  payloads: Record<string, JsonObject[]>,
): Promise<Record<string, TriggerResult[]>> {
  const results: Record<string, TriggerResult[]> = {};
  for (const [key, list] of Object.entries(payloads)) {
    results[key] = [];
    for (const payload of list) {
      try {
        const [id = null] = await app.performHook(key, payload);
        results[key].push({ payload, id });
      } catch (error) {
        // A perform that fails on a delivery is a change to report, not a crash of the guard.
        results[key].push({ payload, id: null, error: failureOf(error) });
      }
    }
  }
  return results;
}

/** The fields the app adds to a payload (schemas/app/derived-fields.json): not Chatting's. */
const DERIVED_FIELDS = Object.keys(readSchema('app/derived-fields').properties as object);

/**
 * The deliveries a snapshot records for each hook trigger: its sample as Chatting would send it
 * (without the fields the app adds), then the same with every text in capitals, and with every
 * text padded and carrying separators and a non-ASCII letter. An id derivation changed only for
 * some values (a tag lower-cased, a name trimmed, a separator escaped) gives another id for one
 * of these even where the sample's own values come out the same. `event` is left as it is (it
 * names the event the trigger takes), and so are timestamps: each probe is a delivery Chatting
 * could send.
 */
export function probePayloads(definition: JsonObject): Record<string, JsonObject[]> {
  return Object.fromEntries(
    Object.entries(hookSamples(definition)).map(([key, sample]) => {
      const delivered = Object.fromEntries(
        Object.entries(sample).filter(([field]) => !DERIVED_FIELDS.includes(field)),
      );
      return [
        key,
        [
          delivered,
          withTexts(delivered, (text) => text.toUpperCase()),
          withTexts(delivered, (text) => ` ${text} :|/%Ä `),
        ],
      ];
    }),
  );
}

/**
 * What a failed perform threw, in one line: zapier-platform-core adds "What happened: …" with the
 * whole bundle after the error's own first line.
 */
function failureOf(error: unknown): string {
  const text =
    error instanceof Error
      ? error.message
      : typeof error === 'string'
        ? error
        : (JSON.stringify(error) ?? String(error));
  return text.split('\n')[0].slice(0, 200);
}

/**
 * A timestamp as Chatting sends them (schemas/common/timestamp.json): kept, so that every probe is
 * a real delivery.
 */
const TIMESTAMP = new RegExp(readSchema('common/timestamp').pattern as string);

/**
 * `payload` with `change` made to every string in it, nested ones included, but `event` and
 * timestamps.
 */
function withTexts(payload: JsonObject, change: (text: string) => string): JsonObject {
  const changed = (value: Json): Json => {
    if (typeof value === 'string') return TIMESTAMP.test(value) ? value : change(value);
    if (Array.isArray(value)) return value.map(changed);
    if (isObject(value)) {
      return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, changed(v)]));
    }
    return value;
  };
  return Object.fromEntries(
    Object.entries(payload).map(([key, value]) => [key, key === 'event' ? value : changed(value)]),
  );
}

/** A new snapshot of the app in `appDir` (its compiled dist/), as `version`. */
export async function takeSnapshot(
  version: string,
  appDir: string = REPO,
): Promise<ReleaseSnapshot> {
  const app = loadApp(appDir);
  return {
    version,
    definition: app.definition,
    triggerResults: await triggerResultsOf(app, probePayloads(app.definition)),
  };
}

/**
 * The app in `appDir` set against a released snapshot: its definition, and its hook triggers'
 * ids for the payloads the release recorded.
 */
export async function currentAgainst(
  released: ReleaseSnapshot,
  version: string,
  appDir: string = REPO,
): Promise<ReleaseSnapshot> {
  const app = loadApp(appDir);
  const payloads = Object.fromEntries(
    Object.entries(released.triggerResults).map(([key, list]) => [
      key,
      list.map(({ payload }) => payload),
    ]),
  );
  return {
    version,
    definition: app.definition,
    triggerResults: await triggerResultsOf(app, payloads),
  };
}

export function releaseFile(version: string, dir: string = RELEASES_DIR): string {
  return path.join(dir, `${version}.json`);
}

/** Every released version with a snapshot, oldest first. */
export function releasedVersions(dir: string = RELEASES_DIR): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .filter((version) => semver.valid(version) === version)
    .sort(semver.compare);
}

export function readSnapshot(version: string, dir: string = RELEASES_DIR): ReleaseSnapshot {
  const file = releaseFile(version, dir);
  let snapshot: Partial<ReleaseSnapshot> | null = null;
  let problem: string;
  try {
    snapshot = JSON.parse(readFileSync(file, 'utf8')) as Partial<ReleaseSnapshot> | null;
    problem = `it is not ${version}'s version, definition and triggerResults`;
  } catch (error) {
    problem = (error as Error).message;
  }
  const isObject = (value: unknown) => typeof value === 'object' && value !== null;
  let usable =
    isObject(snapshot) &&
    snapshot?.version === version &&
    isObject(snapshot.definition) &&
    isObject(snapshot.triggerResults);
  if (usable) {
    // A definition Zapier would not take (a hollow `{}`, a trigger without its operation) would
    // make every change since look like an addition, and the guard ask for no bump at all.
    const { errors } = APP_SCHEMA.validateAppDefinition(snapshot?.definition);
    if (errors.length > 0) {
      usable = false;
      problem = `its definition is not an app Zapier takes: ${errors[0].stack}`;
    } else {
      // Without a hook trigger's recorded results, a change to how its ids are derived (what
      // makes live Zaps fire old items again) would go unseen.
      const results = snapshot?.triggerResults as Record<string, unknown>;
      const unrecorded = Object.keys(hookSamples(snapshot?.definition as JsonObject)).filter(
        (key) => !isResultList(results[key]),
      );
      if (unrecorded.length > 0) {
        usable = false;
        problem = `triggerResults has no deliveries with their ids for the hook trigger${unrecorded.length > 1 ? 's' : ''} ${unrecorded.join(', ')}`;
      }
    }
  }
  if (!usable) {
    throw new Error(
      `${path.relative(REPO, file)} is not a release snapshot (${problem}): restore it from git (git checkout HEAD -- ${path.relative(REPO, file)}).`,
    );
  }
  return snapshot as ReleaseSnapshot;
}

/**
 * What `npm run release` records of a hook trigger: deliveries (each with its fields) and the id
 * `perform` gave each, a text or none. An empty payload proves nothing of how ids are derived.
 */
function isResultList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((result: Partial<TriggerResult> | null) => {
      const payload = result?.payload;
      return (
        typeof payload === 'object' &&
        payload !== null &&
        !Array.isArray(payload) &&
        Object.keys(payload).length > 0 &&
        (typeof result?.id === 'string' || result?.id === null)
      );
    })
  );
}

/**
 * Released versions newer than every snapshot in `dir` whose snapshot is committed to git's HEAD
 * but gone from the folder: without it the guard would check against an older one, or nothing.
 * (A `CHANGELOG.md` section is no proof of a release: a project has one for its version before
 * its first release.)
 */
export function missingReleases(dir: string = RELEASES_DIR): string[] {
  const onDisk = releasedVersions(dir);
  const newest = onDisk.at(-1);
  const committed = spawnSync('git', ['ls-tree', '--name-only', 'HEAD', `${dir}/`], {
    cwd: REPO,
    encoding: 'utf8',
  });
  // Outside a git work tree (or before the first commit) git knows of none.
  if (committed.status !== 0) return [];
  return committed.stdout
    .split('\n')
    .filter((file) => file.endsWith('.json'))
    .map((file) => path.basename(file, '.json'))
    .filter((name) => semver.valid(name) === name && !onDisk.includes(name))
    .filter((name) => !newest || semver.gt(name, newest))
    .sort(semver.compare);
}

/**
 * Whether `version`'s snapshot is in git's HEAD as it is on disk: false for one a release wrote
 * and nobody committed yet (a release being made, or one given up on). Outside a git work tree
 * nothing can be told, and it counts as committed.
 */
export function isCommitted(version: string, dir: string = RELEASES_DIR): boolean {
  const file = path.relative(REPO, releaseFile(version, dir));
  const git = (...args: string[]) => spawnSync('git', args, { cwd: REPO, encoding: 'utf8' });
  if (git('rev-parse', '--verify', '--quiet', 'HEAD').status !== 0) return true;
  const tracked = git('ls-files', '--error-unmatch', '--', file).status === 0;
  const status = git('status', '--porcelain', '--', file);
  return tracked && status.status === 0 && status.stdout.trim() === '';
}

/** The newest release's snapshot, or null before the first release. */
export function latestRelease(dir: string = RELEASES_DIR): ReleaseSnapshot | null {
  const versions = releasedVersions(dir);
  return versions.length > 0 ? readSnapshot(versions[versions.length - 1], dir) : null;
}

export function writeSnapshot(snapshot: ReleaseSnapshot, dir: string = RELEASES_DIR): string {
  const file = releaseFile(snapshot.version, dir);
  // The first release of an app makes the folder.
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(snapshot, null, 2)}\n`);
  return file;
}

/**
 * Zapier's own schema of an app definition, the one an upload is checked against (from
 * zapier-platform-core's own dependency; it ships no types).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const APP_SCHEMA = require('zapier-platform-schema') as {
  validateAppDefinition(definition: unknown): { errors: { stack: string }[] };
};

/** Zapier's own rule for an app version (zapier-platform-schema ships no types for it). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION_SCHEMA = require('zapier-platform-schema/lib/schemas/VersionSchema') as {
  validate(value: unknown): { valid: boolean };
};

/**
 * Whether Zapier takes `version` as an app version: major.minor.patch, each at most three
 * digits, and at most a short label without dots (`1.2.0-beta`, not `1.2.0-beta.1`).
 */
export function isZapierVersion(version: string): boolean {
  return VERSION_SCHEMA.validate(version).valid;
}

/** Zapier's version rule in words, for a refusal: `<version> is not …`. */
export const ZAPIER_VERSION_RULE =
  'major.minor.patch, each at most three digits, and at most a short label without dots (1.2.0-beta)';

/** The version in a package.json. */
export function packageVersion(appDir: string = REPO): string {
  return (
    JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8')) as { version: string }
  ).version;
}
