import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnknownCollectorError, selectCollectors } from '../../../src/scrape/select.js';
import type { Collector } from '../../../src/model/collector.js';

const c = (name: string): Collector => ({
  name,
  help: name,
  enabledByDefault: true,
  supports: () => true,
  collect: async () => [],
});
const all = [c('global_status'), c('global_variables'), c('mysql.user')];
const enabled = new Set(['global_status', 'global_variables']);

test('without collect[] every enabled collector runs, in registry order', () => {
  assert.deepEqual(
    selectCollectors(all, enabled, undefined).map((x) => x.name),
    ['global_status', 'global_variables'],
  );
});

test('collect[] narrows to the named enabled collectors', () => {
  assert.deepEqual(
    selectCollectors(all, enabled, ['global_variables']).map((x) => x.name),
    ['global_variables'],
  );
  assert.deepEqual(
    selectCollectors(all, enabled, ['mysql.user']).map((x) => x.name),
    [],
  );
});

test('an unknown name is an error naming it', () => {
  assert.throws(() => selectCollectors(all, enabled, ['global_stat']), UnknownCollectorError);
});
