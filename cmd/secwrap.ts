import yargs from 'yargs';
import { writeSync } from 'node:fs';

const argv = process.argv.slice(2);
void yargs(argv)
  .scriptName('secwrap')
  .command('check <file>', 'validate a config', () => {}, () => { writeSync(2, 'check: not yet\n'); })
  .strict()
  .parseSync();
