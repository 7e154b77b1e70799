/**
 * Playwright configuration of the browser benchmarks (`npm run bench`): the main configuration's
 * servers and browser, with the specs of benchmarks/ instead of tests/.
 */
const mainConfig = require('./playwright.config');

module.exports = {
  ...mainConfig,
  testDir: './benchmarks',
  testMatch: '**/*.bench.ts',
  reporter: [['list']],
  timeout: 300 * 1000
};
