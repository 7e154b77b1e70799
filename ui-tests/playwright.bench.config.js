/**
 * Playwright configuration of the browser benchmarks (`npm run bench`): the main configuration's
 * servers and browser, with the specs of benchmarks/ instead of tests/.
 */
// The benchmarks compare contexts across runs: no `books` data source (jupyter_server_test_config.py)
// adding its schema to theirs.
process.env.UI_BOOKS_PASSWORD = '';
const mainConfig = require('./playwright.config');

module.exports = {
  ...mainConfig,
  testDir: './benchmarks',
  testMatch: '**/*.bench.ts',
  reporter: [['list']],
  timeout: 300 * 1000
};
