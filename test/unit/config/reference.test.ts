import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BUILTIN_COLLECTORS } from '../../../src/collectors/index.js';
import { MY_CNF_KEYS, MY_CNF_KEY_HELP } from '../../../src/config/my-cnf-keys.js';
import {
  flagsReference,
  myCnfReference,
  replaceSection,
  webConfigReference,
} from '../../../scripts/reference.js';
import { WEB_CONFIG_KEYS, WEB_CONFIG_KEY_HELP } from '../../../src/http/web-config.js';
import { builtinQueriesDir, loadQueryFiles } from '../../../src/declarative/index.js';

const readme = () => readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

test('README flag and option-file references match the code (run `npm run docs` after changing flags)', async () => {
  const declarative = (await loadQueryFiles([builtinQueriesDir()])).collectors;
  const current = readme();
  let expected = replaceSection(current, 'flags', flagsReference(declarative));
  expected = replaceSection(expected, 'my-cnf', myCnfReference());
  expected = replaceSection(expected, 'web-config', webConfigReference());
  assert.equal(current, expected);
});

test('the reference lists every collector flag and every option-file key', async () => {
  const declarative = (await loadQueryFiles([builtinQueriesDir()])).collectors;
  const text = flagsReference(declarative);
  for (const d of [...BUILTIN_COLLECTORS, ...declarative])
    assert.ok(text.includes(`--[no-]collect.${d.name}\``), d.name);
  assert.deepEqual(
    Object.keys(MY_CNF_KEY_HELP).sort(),
    [...MY_CNF_KEYS].sort(),
    'every key has a description',
  );
  assert.deepEqual(Object.keys(WEB_CONFIG_KEY_HELP).sort(), [...WEB_CONFIG_KEYS].sort(), 'every web key too');
});
