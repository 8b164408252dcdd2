/** `npm run docs`: regenerates the configuration reference sections of README.md from the code. */
import { readFileSync, writeFileSync } from 'node:fs';
import { flagsReference, myCnfReference, replaceSection, webConfigReference } from './reference.js';
import { builtinQueriesDir, loadQueryFiles } from '../src/declarative/index.js';

const declarative = (await loadQueryFiles([builtinQueriesDir()])).collectors;
let readme = readFileSync('README.md', 'utf8');
readme = replaceSection(readme, 'flags', flagsReference(declarative));
readme = replaceSection(readme, 'my-cnf', myCnfReference());
readme = replaceSection(readme, 'web-config', webConfigReference());
writeFileSync('README.md', readme);
process.stderr.write('README.md reference sections regenerated\n');
