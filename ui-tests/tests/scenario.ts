/**
 * Load a scenario file of ui-tests/scenarios into the running LLM simulator.
 */
import type { APIRequestContext } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { SIMULATOR_URL } from './helpers';

/**
 * Replace the simulator's scenario with `scenarios/<name>.yaml` (top-level keys of `overrides`
 * replaced), and forget its requests.
 */
export async function useScenario(
  request: APIRequestContext,
  name: string,
  overrides: Record<string, unknown> = {}
): Promise<void> {
  const file = path.join(__dirname, '..', 'scenarios', `${name}.yaml`);
  const scenario = {
    ...parse(fs.readFileSync(file, 'utf-8')),
    ...overrides
  };
  const response = await request.put(`${SIMULATOR_URL}/_simulator/scenario`, {
    data: scenario
  });
  if (!response.ok()) {
    throw new Error(`Scenario ${name} refused: ${await response.text()}`);
  }
  await request.delete(`${SIMULATOR_URL}/_simulator/requests`);
}
