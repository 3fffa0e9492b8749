import assert from 'node:assert/strict';
import { readSchema } from '../../schemas/catalog';
import { contract, validate, type SchemaName } from '../../schemas/validator';
import type { WebhookEvent } from '../../schemas/generated';
import { occurrenceId, toTriggerResult } from '../../src/events';
import { App } from '../helpers/app';
import { APP_SCHEMAS, resultKeyInSchema, splitResult } from '../contract/guards';

interface Field {
  key: string;
  label?: string;
  helpText?: string;
}
interface Definition {
  key: string;
  noun: string;
  display: { label: string; description: string; hidden?: boolean };
  operation: { sample: Record<string, unknown>; outputFields?: Field[]; inputFields?: Field[] };
}

const triggers = Object.values(App.triggers as Record<string, Definition>);
const creates = Object.values(App.creates as Record<string, Definition>);
const visibleTriggers = triggers.filter((t) => !t.display.hidden);

const [TRIGGER_SCHEMA, CREATE_SCHEMA] = [true, false].map((trigger) =>
  Object.fromEntries(
    Object.entries(APP_SCHEMAS).filter(([, schema]) => schema.startsWith('events/') === trigger),
  ),
);
const keyExists = (schema: SchemaName, key: string) => resultKeyInSchema(contract, schema, key);

const TITLE_CASE =
  /^([A-Z0-9(][\w()]*)( ([A-Z0-9(][\w()]*|a|an|and|as|at|by|for|in|of|on|or|the|to))*$/;

describe('the app definition', () => {
  test('has the four REST-hook triggers and the three creates of the contract', () => {
    assert.deepEqual(visibleTriggers.map((t) => t.key).sort(), Object.keys(TRIGGER_SCHEMA).sort());
    assert.deepEqual(creates.map((c) => c.key).sort(), Object.keys(CREATE_SCHEMA).sort());
    for (const trigger of visibleTriggers) {
      assert.equal((trigger.operation as unknown as { type: string }).type, 'hook', trigger.key);
    }
  });

  for (const trigger of visibleTriggers) {
    const schema = TRIGGER_SCHEMA[trigger.key];
    test(`${trigger.key}: the sample is what the app makes of a valid ${schema}`, () => {
      const { sent, derived } = splitResult(contract, schema, trigger.operation.sample as never);
      const result = validate(schema, sent);
      assert.ok(result.valid, result.valid ? '' : result.message);
      assert.equal(derived.id, occurrenceId(sent as unknown as WebhookEvent));
      // Every derived field comes from the one function perform and performList share.
      assert.deepEqual(trigger.operation.sample, toTriggerResult(sent as unknown as WebhookEvent));
    });

    test(`${trigger.key}: every output field exists in ${schema} or is derived, with a label`, () => {
      for (const field of trigger.operation.outputFields ?? []) {
        assert.ok(keyExists(schema, field.key), field.key);
        assert.match(field.label ?? '', TITLE_CASE, field.key);
      }
      const flat = Object.keys((readSchema(schema) as { properties: object }).properties).filter(
        (k) => k !== 'data',
      );
      const { derived } = splitResult(contract, schema, trigger.operation.sample as never);
      const labelled = new Set((trigger.operation.outputFields ?? []).map((f) => f.key));
      for (const key of [...flat, ...Object.keys(derived)]) {
        assert.ok(labelled.has(key), `no output field for ${key}`);
      }
    });

    test(`${trigger.key}: "Triggers when …." description`, () => {
      assert.match(trigger.display.description, /^Triggers when .+\.$/);
    });
  }

  for (const create of creates) {
    const schema = CREATE_SCHEMA[create.key];
    test(`${create.key}: the sample is a ${schema} without ok; output fields exist in it`, () => {
      assert.ok(!('ok' in create.operation.sample), 'the request-status field is not output');
      const { sent } = splitResult(contract, schema, create.operation.sample as never);
      const result = validate(schema, { ok: true, ...sent });
      assert.ok(result.valid, result.valid ? '' : result.message);
      for (const field of create.operation.outputFields ?? []) {
        assert.notEqual(field.key, 'ok');
        assert.ok(keyExists(schema, field.key), field.key);
      }
    });

    test(`${create.key}: has an optional Deduplication Key`, () => {
      const field = create.operation.inputFields?.find((f) => f.key === 'deduplication_key');
      assert.equal(field?.label, 'Deduplication Key');
      assert.match(field?.helpText ?? '', /unique/);
    });
  }

  for (const item of [...triggers, ...creates]) {
    test(`${item.key}: Title Case labels, help that does not repeat the label, samples with ISO dates`, () => {
      assert.match(item.display.label, TITLE_CASE);
      assert.match(item.display.description, /\.$/);
      assert.notEqual(item.display.description.replace(/\.$/, ''), item.display.label);
      for (const field of item.operation.inputFields ?? []) {
        assert.match(field.label ?? '', TITLE_CASE, field.key);
        assert.ok(field.helpText, `${field.key} has help text`);
        if (field.helpText)
          assert.notEqual(
            field.helpText.replace(/\.$/, '').toLowerCase(),
            field.label?.toLowerCase(),
          );
      }
      assert.ok('id' in item.operation.sample, 'samples have an id');
      assert.doesNotMatch(item.display.description, /Chatting/, 'descriptions do not name the app');
      assert.doesNotMatch(
        JSON.stringify(item.operation.sample),
        /:null\b/,
        'samples show realistic values, not null',
      );
      for (const [key, value] of Object.entries(item.operation.sample)) {
        if (/(_at|timestamp)$/.test(key))
          assert.match(String(value), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, key);
      }
    });
  }

  test('Create Contact is named by what the reference documents: a creation', () => {
    const contact = creates.find((c) => c.key === 'create_contact');
    assert.equal(contact?.display.label, 'Create Contact');
    assert.doesNotMatch(contact?.display.description ?? '', /[Uu]pdate/);
  });

  test('every URL in the definition is HTTPS', () => {
    const urls = JSON.stringify(App).match(/\bhttps?:\/\/[^\s"')\]]+/g) ?? [];
    assert.ok(urls.length > 0);
    for (const url of urls) assert.match(url, /^https:\/\//);
  });
});
