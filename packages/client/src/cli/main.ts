import { VERSION } from '../index.js';

process.stdout.write(`lobster ${VERSION}\n`);
