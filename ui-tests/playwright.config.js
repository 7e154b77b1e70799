/**
 * Playwright configuration: Galata's defaults, Debian's Chromium, and three servers started for the run:
 * our LLM simulator, a JupyterLab whose gateway points at it, and a JupyterLab with no endpoint at all.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// Ports can be moved (e.g. to run two suites side by side); CI uses the defaults.
const SIMULATOR_PORT = Number(process.env.SIMULATOR_PORT || 8765);
const LAB_PORT = Number(process.env.LAB_PORT || 8888);
const BARE_LAB_PORT = Number(process.env.BARE_LAB_PORT || 8889);
const python = process.env.CODE_INTERPRETER_PYTHON || 'python';
// The `books` data source's password (jupyter_server_test_config.py): chosen once per run, so
// the test workers, which inherit this process's environment, look for the same one.
process.env.UI_BOOKS_PASSWORD ??= `ui-${require('crypto').randomBytes(12).toString('hex')}`;

module.exports = {
  ...baseConfig,
  reporter: [['list'], ['html', { open: 'never' }]],
  workers: 1,
  // Per port, so suites running side by side keep their own artefacts.
  outputDir: `test-results/${LAB_PORT}`,
  retries: 0,
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${LAB_PORT}`,
    // Playwright's ffmpeg cannot be downloaded here, so no videos; traces still work.
    video: 'off',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  webServer: [
    {
      command: `${python} -m jupyterlab_code_interpreter.simulator --port ${SIMULATOR_PORT} --scenario scenarios/default.yaml`,
      url: `http://127.0.0.1:${SIMULATOR_PORT}/_simulator/health`,
      timeout: 60 * 1000,
      reuseExistingServer: false
    },
    {
      command: `jupyter lab --config jupyter_server_test_config.py --port ${LAB_PORT}`,
      url: `http://localhost:${LAB_PORT}/lab`,
      timeout: 120 * 1000,
      reuseExistingServer: false,
      env: {
        ...process.env,
        OPENAI_BASE_URL: `http://127.0.0.1:${SIMULATOR_PORT}/v1`,
        OPENAI_API_KEY: 'sim-key',
        OPENAI_MODEL: 'sim-model',
        AZURE_OPENAI_ENDPOINT: ''
      }
    },
    {
      command: `jupyter lab --config jupyter_server_test_config.py --port ${BARE_LAB_PORT}`,
      url: `http://localhost:${BARE_LAB_PORT}/lab`,
      timeout: 120 * 1000,
      reuseExistingServer: false,
      env: {
        ...process.env,
        OPENAI_BASE_URL: '',
        OPENAI_API_KEY: '',
        AZURE_OPENAI_ENDPOINT: '',
        AZURE_OPENAI_API_KEY: ''
      }
    }
  ]
};
