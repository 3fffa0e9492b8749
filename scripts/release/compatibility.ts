/**
 * What a new version changes for the Zaps that run on the released one, and the semver bump each
 * change needs. Zapier pauses a promote that does not bump the major for some breaking changes
 * (a removed trigger/action/search, a changed auth type, hook ↔ polling, a removed input field,
 * an optional input made required without a default) and cannot migrate users across majors;
 * other breaking changes it never checks (output fields removed or retyped, a result id derived
 * differently, an input field's type changed). Both kinds are major here.
 *
 * Every difference between the two snapshots is listed: one the rules below do not know is a
 * patch, so nothing changes unseen.
 */
import semver from 'semver';
import type { Json, JsonObject, ReleaseSnapshot, TriggerResult } from './snapshot';

export type Bump = 'major' | 'minor' | 'patch';

export interface Change {
  bump: Bump;
  /** Where in the app, e.g. `create create_contact › input field phone ("Phone")`. */
  where: string;
  what: string;
  /** Why this bump: what it does to live Zaps, and whether Zapier checks it. */
  why: string;
}

const ZAPIER_PAUSES =
  'Zapier pauses the promote of a version that does not bump the major for this, and cannot migrate Zaps across majors';
const ZAPS_BREAK_UNCHECKED = 'Zapier does not check this: live Zaps break without a warning';
const ADDITIVE = 'new, and nothing existing changes';
const WORDING = 'wording only';

const BUMP_ORDER: Bump[] = ['patch', 'minor', 'major'];
const rank = (bump: Bump | null) => (bump === null ? -1 : BUMP_ORDER.indexOf(bump));

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asObject = (value: Json | undefined): JsonObject => (isObject(value) ? value : {});
const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);
const show = (value: Json | undefined) => (value === undefined ? 'nothing' : JSON.stringify(value));
/** A key, label or version as text (a definition's are strings; anything else is shown as JSON). */
const text = (value: Json | undefined): string =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? '');

/** Collects changes; each comparison below adds to it. */
class ChangeList {
  readonly items: Change[] = [];
  add(bump: Bump, where: string, what: string, why: string): void {
    this.items.push({ bump, where, what, why });
  }
  /** Every leaf that differs, under `where`, as one bump (for what no rule knows). */
  leaves(
    bump: Bump,
    where: string,
    before: Json | undefined,
    after: Json | undefined,
    why: string,
  ) {
    for (const leaf of differingLeaves(before, after)) {
      this.add(
        bump,
        where,
        `${leaf.path || 'value'}: ${show(leaf.before)} → ${show(leaf.after)}`,
        why,
      );
    }
  }
}

function differingLeaves(
  before: Json | undefined,
  after: Json | undefined,
  at = '',
): { path: string; before: Json | undefined; after: Json | undefined }[] {
  if (same(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) =>
      differingLeaves(before[key], after[key], at ? `${at}.${key}` : key),
    );
  }
  return [{ path: at, before, after }];
}

/** What is left of an object once the attributes a rule looked at are taken out. */
function rest(value: JsonObject, known: string[]): JsonObject {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !known.includes(key)));
}

// ---- input fields (a step's inputFields, and the authentication's fields) ----

const FIELD_WORDING = ['label', 'helpText', 'placeholder'];
const FIELD_SHAPE = ['type', 'list', 'dict', 'children'];
const FIELD_RULED = [
  'key',
  'required',
  'default',
  'dynamic',
  'choices',
  ...FIELD_WORDING,
  ...FIELD_SHAPE,
];

const fieldName = (field: JsonObject) =>
  typeof field.label === 'string' ? `${text(field.key)} ("${field.label}")` : text(field.key);

/** A field's choices as value → label, whatever form they were given in. */
function choiceValues(choices: Json | undefined): Map<string, string> {
  const values = new Map<string, string>();
  if (Array.isArray(choices)) {
    for (const choice of choices) {
      if (isObject(choice)) values.set(text(choice.value), text(choice.label ?? choice.value));
      else values.set(text(choice), text(choice));
    }
  } else if (isObject(choices)) {
    for (const [value, label] of Object.entries(choices)) values.set(value, text(label));
  }
  return values;
}

function compareField(changes: ChangeList, where: string, before: JsonObject, after: JsonObject) {
  const typeOf = (field: JsonObject) => field.type ?? 'string';
  if (!same(typeOf(before), typeOf(after))) {
    changes.add(
      'major',
      where,
      `type ${show(typeOf(before))} → ${show(typeOf(after))}`,
      `values Zaps map into it may no longer fit; ${ZAPS_BREAK_UNCHECKED}`,
    );
  }
  for (const attribute of ['list', 'dict', 'children']) {
    if (!same(before[attribute], after[attribute])) {
      changes.add(
        'major',
        where,
        `${attribute} ${show(before[attribute])} → ${show(after[attribute])}`,
        `the shape of what Zaps map into it changes; ${ZAPS_BREAK_UNCHECKED}`,
      );
    }
  }
  const wasRequired = before.required === true;
  const isRequired = after.required === true;
  if (!wasRequired && isRequired) {
    if (after.default === undefined) {
      changes.add(
        'major',
        where,
        'optional → required, without a default',
        `Zaps that left it empty stop working; ${ZAPIER_PAUSES}`,
      );
    } else {
      changes.add(
        'minor',
        where,
        `optional → required, with the default ${show(after.default)}`,
        'Zaps that left it empty get the default',
      );
    }
  } else if (wasRequired && !isRequired) {
    changes.add('minor', where, 'required → optional', 'accepts more than before');
  }
  // Made required just now: said above, with or without its new default.
  if (!same(before.default, after.default) && (wasRequired || !isRequired)) {
    if (wasRequired && isRequired && after.default === undefined) {
      changes.add(
        'major',
        where,
        `default ${show(before.default)} removed from a required field`,
        `Zaps that relied on the default stop working; ${ZAPS_BREAK_UNCHECKED}`,
      );
    } else {
      changes.add(
        'minor',
        where,
        `default ${show(before.default)} → ${show(after.default)}`,
        'Zaps that left it empty behave differently',
      );
    }
  }
  if (!same(before.dynamic, after.dynamic)) {
    if (before.dynamic !== undefined && after.dynamic !== undefined) {
      changes.add(
        'major',
        where,
        `dropdown source ${show(before.dynamic)} → ${show(after.dynamic)}`,
        `the values Zaps picked came from the old source; ${ZAPS_BREAK_UNCHECKED}`,
      );
    } else {
      changes.add(
        'minor',
        where,
        `dropdown source ${show(before.dynamic)} → ${show(after.dynamic)}`,
        'the values Zaps hold are still accepted',
      );
    }
  }
  const [oldChoices, newChoices] = [choiceValues(before.choices), choiceValues(after.choices)];
  const removedChoices = [...oldChoices.keys()].filter((value) => !newChoices.has(value));
  const addedChoices = [...newChoices.keys()].filter((value) => !oldChoices.has(value));
  if (removedChoices.length > 0) {
    changes.add(
      'major',
      where,
      `choices removed: ${removedChoices.join(', ')}`,
      `Zaps that chose them send a value no longer offered; ${ZAPS_BREAK_UNCHECKED}`,
    );
  }
  if (addedChoices.length > 0) {
    changes.add('minor', where, `choices added: ${addedChoices.join(', ')}`, ADDITIVE);
  }
  const relabelled = [...oldChoices].filter(
    ([value, label]) => newChoices.has(value) && newChoices.get(value) !== label,
  );
  if (relabelled.length > 0) {
    changes.add(
      'patch',
      where,
      `choice labels changed: ${relabelled.map(([value]) => value).join(', ')}`,
      WORDING,
    );
  }
  for (const attribute of FIELD_WORDING) {
    if (!same(before[attribute], after[attribute])) {
      changes.add('patch', where, `${attribute} changed`, WORDING);
    }
  }
  changes.leaves(
    'minor',
    where,
    rest(before, FIELD_RULED),
    rest(after, FIELD_RULED),
    'a behaviour of the field changed: check it by hand',
  );
}

function compareFields(
  changes: ChangeList,
  where: string,
  noun: string,
  before: Json | undefined,
  after: Json | undefined,
) {
  const list = (fields: Json | undefined) => (Array.isArray(fields) ? fields : []);
  // Dynamic fields (functions) serialise as markers; what they return is not in a definition.
  const markers = (fields: Json | undefined) => list(fields).filter((field) => !isObject(field));
  if (!same(markers(before), markers(after))) {
    changes.add(
      'minor',
      where,
      `${noun}s computed by a function changed`,
      'what the function returns cannot be compared here: check it by hand',
    );
  }
  const byKey = (fields: Json | undefined) =>
    new Map(
      list(fields)
        .filter(isObject)
        .map((field) => [text(field.key), field]),
    );
  const [old, now] = [byKey(before), byKey(after)];
  for (const [key, field] of old) {
    const replacement = now.get(key);
    const at = `${where} › ${noun} ${fieldName(field)}`;
    if (!replacement) {
      changes.add('major', at, 'removed', `Zaps that set it lose it; ${ZAPIER_PAUSES}`);
    } else {
      compareField(changes, at, field, replacement);
    }
  }
  for (const [key, field] of now) {
    if (old.has(key)) continue;
    const at = `${where} › ${noun} ${fieldName(field)}`;
    if (field.required === true && field.default === undefined) {
      changes.add(
        'major',
        at,
        'added, required, without a default',
        `existing Zaps have no value for it and stop working; ${ZAPS_BREAK_UNCHECKED}`,
      );
    } else {
      changes.add(
        'minor',
        at,
        `added${field.required === true ? ', required with a default' : ', optional'}`,
        ADDITIVE,
      );
    }
  }
  const order = (fields: Map<string, JsonObject>, other: Map<string, JsonObject>) =>
    [...fields.keys()].filter((key) => other.has(key));
  if (!same(order(old, now), order(now, old))) {
    changes.add('patch', where, `${noun}s reordered`, 'the editor shows them in another order');
  }
}

// ---- outputs: outputFields and the sample ----

interface OutputKey {
  /** Whether outputFields lists the key, and whether the sample (what results carry) has it. */
  inFields: boolean;
  inSample: boolean;
  label?: Json;
  /** The type outputFields declares (absent: none declared). */
  declared?: Json;
  list?: Json;
  /**
   * Every sample value offered under this key, in order: `data__email` and `data: {email}` both
   * flatten to `data__email`, and a change to either must show.
   */
  samples: Json[];
}

const jsonType = (value: Json): string | undefined =>
  value === null ? undefined : Array.isArray(value) ? 'array' : typeof value;

const newKey = (): OutputKey => ({ inFields: false, inSample: false, samples: [] });

/** The sample's keys as Zapier offers them for mapping: nested objects flattened with `__`. */
function flattenSample(sample: Json | undefined, into: Map<string, OutputKey>, prefix = ''): void {
  if (!isObject(sample)) return;
  for (const [key, value] of Object.entries(sample)) {
    const flat = prefix ? `${prefix}__${key}` : key;
    const entry = into.get(flat) ?? newKey();
    entry.inSample = true;
    entry.samples.push(value);
    into.set(flat, entry);
    if (isObject(value)) flattenSample(value, into, flat);
  }
}

function outputKeys(operation: JsonObject): Map<string, OutputKey> {
  const keys = new Map<string, OutputKey>();
  flattenSample(operation.sample, keys);
  const fields = Array.isArray(operation.outputFields) ? operation.outputFields : [];
  for (const field of fields.filter(isObject)) {
    const key = text(field.key);
    const entry = keys.get(key) ?? newKey();
    keys.set(key, {
      ...entry,
      inFields: true,
      label: field.label,
      declared: field.type,
      list: field.list,
    });
  }
  return keys;
}

/**
 * The first sample value whose JSON type changed (null values say nothing), as `array → string`;
 * null when none did.
 */
function retyped(was: OutputKey, is: OutputKey): string | null {
  for (const [index, value] of was.samples.entries()) {
    const [before, after] = [jsonType(value), jsonType(is.samples[index] ?? null)];
    if (before && after && before !== after) return `${before} → ${after}`;
  }
  return null;
}

/** A key's sample values other than objects (whose values are keys of their own). */
const scalarSamples = (entry: OutputKey): Json[] =>
  entry.samples.filter((value) => !isObject(value));

/** Where a key that stays an output was taken from: the sample or outputFields. */
function partlyRemoved(was: OutputKey, is: OutputKey): string | null {
  if (was.inSample && !is.inSample) return 'removed from the sample (outputFields still lists it)';
  if (was.inFields && !is.inFields) return 'removed from outputFields (the sample still has it)';
  return null;
}

function compareOutputs(changes: ChangeList, where: string, before: JsonObject, after: JsonObject) {
  const [old, now] = [outputKeys(before), outputKeys(after)];
  const changedValues: string[] = [];
  for (const [key, was] of old) {
    const is = now.get(key);
    const at = `${where} › output ${key}`;
    if (!is) {
      changes.add(
        'major',
        at,
        'removed',
        `Zaps that map {{${key}}} get nothing; ${ZAPS_BREAK_UNCHECKED}`,
      );
      continue;
    }
    // The sample is what results carry, and outputFields what the editor offers to map: a key
    // gone from either is gone for the Zaps that rely on it there.
    const removal = partlyRemoved(was, is);
    if (removal) {
      changes.add(
        'major',
        at,
        removal,
        `Zaps that map {{${key}}} may get nothing; ${ZAPS_BREAK_UNCHECKED}`,
      );
      continue;
    }
    const resampled = retyped(was, is);
    if (
      was.declared !== undefined &&
      is.declared !== undefined &&
      !same(was.declared, is.declared)
    ) {
      changes.add(
        'major',
        at,
        `type ${show(was.declared)} → ${show(is.declared)}`,
        `steps that use it expect the old type; ${ZAPS_BREAK_UNCHECKED}`,
      );
    } else if (resampled) {
      changes.add(
        'major',
        at,
        `sample value ${resampled}`,
        `the output's structure changed; ${ZAPS_BREAK_UNCHECKED}`,
      );
    } else if (was.declared === undefined && is.declared !== undefined) {
      changes.add(
        'patch',
        at,
        `type ${show(is.declared)} declared`,
        'the editor formats it; the value is the same',
      );
    } else if (was.declared !== undefined && is.declared === undefined) {
      changes.add(
        'minor',
        at,
        `type ${show(was.declared)} no longer declared`,
        'the editor no longer formats it',
      );
    }
    if (!same(was.list, is.list)) {
      changes.add(
        'major',
        at,
        `list ${show(was.list)} → ${show(is.list)}`,
        `the output's structure changed; ${ZAPS_BREAK_UNCHECKED}`,
      );
    }
    if (!same(was.label, is.label)) {
      changes.add('patch', at, `label ${show(was.label)} → ${show(is.label)}`, WORDING);
    }
    // A value of another type is said above; a nested object's values are their own keys.
    if (!resampled && !same(scalarSamples(was), scalarSamples(is))) changedValues.push(key);
  }
  for (const key of now.keys()) {
    if (!old.has(key)) changes.add('minor', `${where} › output ${key}`, 'added', ADDITIVE);
  }
  if (changedValues.length > 0) {
    changes.add(
      'patch',
      where,
      `sample values changed: ${changedValues.join(', ')}`,
      'the editor shows other example values',
    );
  }
}

// ---- steps: triggers, creates, searches ----

const STEP_KINDS: [group: string, noun: string][] = [
  ['triggers', 'trigger'],
  ['creates', 'create'],
  ['searches', 'search'],
  ['searchOrCreates', 'search-or-create'],
];
const OPERATION_RULED = ['type', 'inputFields', 'outputFields', 'sample'];
const DISPLAY_WORDING = ['label', 'description', 'directions', 'important'];

function compareTriggerResults(
  changes: ChangeList,
  where: string,
  before: TriggerResult[] | undefined,
  after: TriggerResult[] | undefined,
) {
  // What a delivery gave: its id, or the failure of perform on it.
  const outcome = (result: TriggerResult) =>
    result.error === undefined ? result.id : `perform failed: ${result.error}`;
  const changed = (before ?? []).flatMap((result, index) => {
    const now = after?.[index];
    if (!now) return [];
    const pair = [outcome(result), outcome(now)] as const;
    return same(...pair) ? [] : [pair];
  });
  if (changed.length === 0) return;
  // One change for the derivation, shown on the first delivery it gives another id.
  const [[was, is]] = changed;
  const others = changed.length > 1 ? ` (and ${changed.length - 1} more of ${before?.length})` : '';
  changes.add(
    'major',
    `${where} › result id`,
    `${show(was)} → ${show(is)} for the same delivery${others}`,
    `Zapier deduplicates by this id: every live Zap sees items it already had as new and runs again; ${ZAPS_BREAK_UNCHECKED}`,
  );
}

function compareStep(
  changes: ChangeList,
  where: string,
  before: JsonObject,
  after: JsonObject,
  isTrigger: boolean,
) {
  const [oldOperation, newOperation] = [asObject(before.operation), asObject(after.operation)];
  // A trigger without a type polls.
  const typeOf = (operation: JsonObject) => operation.type ?? (isTrigger ? 'polling' : undefined);
  if (!same(typeOf(oldOperation), typeOf(newOperation))) {
    changes.add(
      'major',
      where,
      `${show(typeOf(oldOperation))} → ${show(typeOf(newOperation))}`,
      `live Zaps were set up for the other kind of trigger; ${ZAPIER_PAUSES}`,
    );
  }
  const [oldDisplay, newDisplay] = [asObject(before.display), asObject(after.display)];
  // `hidden: false` is what an absent `hidden` means.
  if ((oldDisplay.hidden === true) !== (newDisplay.hidden === true)) {
    const hides = newDisplay.hidden === true;
    changes.add(
      'minor',
      where,
      hides ? 'hidden' : 'shown',
      hides ? 'existing Zaps keep running it; new Zaps cannot choose it' : ADDITIVE,
    );
  }
  for (const attribute of DISPLAY_WORDING) {
    if (!same(oldDisplay[attribute], newDisplay[attribute]))
      changes.add('patch', where, `${attribute} changed`, WORDING);
  }
  if (!same(before.noun, after.noun))
    changes.add('patch', where, `noun ${show(before.noun)} → ${show(after.noun)}`, WORDING);
  compareFields(changes, where, 'input field', oldOperation.inputFields, newOperation.inputFields);
  compareOutputs(changes, where, oldOperation, newOperation);
  changes.leaves(
    'patch',
    where,
    rest(oldOperation, OPERATION_RULED),
    rest(newOperation, OPERATION_RULED),
    'how it runs changed: test it',
  );
  changes.leaves(
    'patch',
    where,
    rest(oldDisplay, [...DISPLAY_WORDING, 'hidden']),
    rest(newDisplay, [...DISPLAY_WORDING, 'hidden']),
    WORDING,
  );
  changes.leaves(
    'patch',
    where,
    rest(before, ['key', 'noun', 'display', 'operation']),
    rest(after, ['key', 'noun', 'display', 'operation']),
    'check it by hand',
  );
}

function compareSteps(changes: ChangeList, released: ReleaseSnapshot, current: ReleaseSnapshot) {
  for (const [group, noun] of STEP_KINDS) {
    const [old, now] = [asObject(released.definition[group]), asObject(current.definition[group])];
    for (const [key, step] of Object.entries(old)) {
      const where = `${noun} ${key}`;
      if (!isObject(now[key])) {
        changes.add('major', where, 'removed', `its live Zaps stop working; ${ZAPIER_PAUSES}`);
        continue;
      }
      compareStep(changes, where, asObject(step), now[key], group === 'triggers');
      if (group === 'triggers') {
        compareTriggerResults(
          changes,
          where,
          released.triggerResults[key],
          current.triggerResults[key],
        );
      }
    }
    for (const [key, step] of Object.entries(now)) {
      if (key in old) continue;
      const hidden = asObject(asObject(step).display).hidden === true;
      changes.add('minor', `${noun} ${key}`, hidden ? 'added (hidden)' : 'added', ADDITIVE);
    }
  }
}

// ---- the whole app ----

const APP_RULED = [
  'version',
  'platformVersion',
  'authentication',
  ...STEP_KINDS.map(([group]) => group),
];

function compareAuthentication(changes: ChangeList, before: JsonObject, after: JsonObject) {
  const where = 'authentication';
  if (!same(before.type, after.type)) {
    changes.add(
      'major',
      where,
      `type ${show(before.type)} → ${show(after.type)}`,
      `every connection has to be made again; ${ZAPIER_PAUSES}`,
    );
  }
  compareFields(changes, where, 'field', before.fields, after.fields);
  if (!same(before.connectionLabel, after.connectionLabel)) {
    changes.add('patch', where, 'connection label changed', 'connections are named differently');
  }
  changes.leaves(
    'minor',
    where,
    rest(before, ['type', 'fields', 'connectionLabel']),
    rest(after, ['type', 'fields', 'connectionLabel']),
    'how connections work changed: check it by hand',
  );
}

/** Every change from a released snapshot to the current one, biggest bump first. */
export function compareReleases(released: ReleaseSnapshot, current: ReleaseSnapshot): Change[] {
  const changes = new ChangeList();
  const [before, after] = [released.definition, current.definition];
  if (!same(before.platformVersion, after.platformVersion)) {
    const major = (version: Json | undefined) => semver.major(text(version ?? '0.0.0'));
    changes.add(
      major(before.platformVersion) === major(after.platformVersion) ? 'patch' : 'minor',
      'zapier-platform-core',
      `${show(before.platformVersion)} → ${show(after.platformVersion)}`,
      'the runtime under every step changed: test the app before promoting',
    );
  }
  compareAuthentication(changes, asObject(before.authentication), asObject(after.authentication));
  compareSteps(changes, released, current);
  changes.leaves(
    'patch',
    'app',
    rest(before, APP_RULED),
    rest(after, APP_RULED),
    'check it by hand',
  );
  return changes.items.sort((a, b) => rank(b.bump) - rank(a.bump));
}

/** The bump the changes need: the biggest one among them, or null when nothing changed. */
export function requiredBump(changes: Change[]): Bump | null {
  return changes.reduce<Bump | null>(
    (biggest, { bump }) => (rank(bump) > rank(biggest) ? bump : biggest),
    null,
  );
}

/**
 * The bump from one version to the next, by the part that grew: 0.1.0 → 1.0.0 is a major,
 * as Zapier reads it (it looks at the major number, whatever semver says of 0.x).
 */
export function bumpBetween(from: string, to: string): Bump | 'none' | 'backwards' {
  const order = semver.compare(to, from);
  if (order === 0) return 'none';
  if (order < 0) return 'backwards';
  // semver's diff reads a prerelease's own release as the bump it completes: 0.2.0-beta → 0.2.0
  // is a minor (what `semver.inc('0.2.0-beta', 'minor')` gives), 1.0.0-rc → 1.0.0 a major.
  switch (semver.diff(from, to)) {
    case 'major':
    case 'premajor':
      return 'major';
    case 'minor':
    case 'preminor':
      return 'minor';
    default:
      return 'patch';
  }
}

export const isEnough = (bump: Bump, needed: Bump | null) => rank(bump) >= rank(needed);
