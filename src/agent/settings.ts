/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { PromptOverrides } from './prompts';
import type { ApprovalMode, PolicyAction, PolicyCategory } from './tokens';

/**
 * The settings the turn loop reads (schema/plugin.json).
 */
export interface IAgentSettings {
  /** The model alias the gateway maps to a deployment. */
  modelAlias: string;
  /** The sampling temperature. */
  temperature: number;
  /** When generated code may run without asking. */
  approvalMode: ApprovalMode;
  /** The most `run_python` steps one prompt may lead to. */
  maxStepsPerTurn: number;
  /** Failed runs and checks allowed per turn before giving up. */
  repairBudget: number;
  /** Wall-clock limit of one run. */
  executionTimeoutSeconds: number;
  /** The most tokens of a step's outputs the model receives. */
  outputTokenBudget: number;
  /** The most tokens of earlier turns a request carries (estimated). */
  historyTokenBudget: number;
  /** Whether the model sees images. */
  visionCapable: boolean;
  /** What to do per policy category. */
  policy: Record<PolicyCategory, PolicyAction>;
  /** Template overrides. */
  prompts: PromptOverrides;
  /**
   * Whether an answer stating numbers no step computed gets one request to
   * compute them or say they are estimates (agent/nudge.ts).
   */
  checkUncomputedNumbers: boolean;
}

/**
 * The defaults, as in the settings schema.
 */
export const DEFAULT_AGENT_SETTINGS: Readonly<IAgentSettings> = Object.freeze({
  modelAlias: 'default',
  temperature: 0.2,
  approvalMode: 'ask',
  maxStepsPerTurn: 10,
  repairBudget: 3,
  executionTimeoutSeconds: 120,
  outputTokenBudget: 2000,
  historyTokenBudget: 24000,
  visionCapable: false,
  policy: Object.freeze({
    install: 'block',
    shell: 'ask',
    delete_outside: 'block',
    network: 'allow',
    dynamic: 'ask',
    secrets: 'ask'
  }) as Record<PolicyCategory, PolicyAction>,
  prompts: Object.freeze({}),
  checkUncomputedNumbers: true
});

/**
 * Read the agent settings from the plugin's composite settings.
 *
 * #### Notes
 * Invalid or missing values fall back to the defaults, so a hand-edited
 * settings file cannot break the loop.
 *
 * @param composite - the composite settings of the plugin.
 */
export function agentSettingsFrom(
  composite: Readonly<Record<string, unknown>>
): IAgentSettings {
  const d = DEFAULT_AGENT_SETTINGS;
  const policy = { ...d.policy };
  const rawPolicy = Private.record(composite.policy);
  for (const category of Object.keys(policy) as PolicyCategory[]) {
    const action = rawPolicy[category];
    if (action === 'block' || action === 'ask' || action === 'allow') {
      policy[category] = action;
    }
  }
  const prompts: PromptOverrides = {};
  const rawPrompts = Private.record(composite.prompts);
  for (const name of ['system', 'systemText', 'explain', 'fix'] as const) {
    const value = rawPrompts[name];
    if (typeof value === 'string' && value.trim()) {
      prompts[name] = value;
    }
  }
  const mode = composite.approvalMode;
  return {
    modelAlias:
      typeof composite.modelAlias === 'string' && composite.modelAlias.trim()
        ? composite.modelAlias.trim()
        : d.modelAlias,
    temperature: Private.number(composite.temperature, d.temperature, 0),
    approvalMode:
      mode === 'ask' || mode === 'auto-safe' || mode === 'auto'
        ? mode
        : d.approvalMode,
    maxStepsPerTurn: Private.number(
      composite.maxStepsPerTurn,
      d.maxStepsPerTurn,
      1
    ),
    repairBudget: Private.number(composite.repairBudget, d.repairBudget, 0),
    executionTimeoutSeconds: Private.number(
      composite.executionTimeoutSeconds,
      d.executionTimeoutSeconds,
      1
    ),
    outputTokenBudget: Private.number(
      composite.outputTokenBudget,
      d.outputTokenBudget,
      200
    ),
    historyTokenBudget: Private.number(
      composite.historyTokenBudget,
      d.historyTokenBudget,
      1000
    ),
    visionCapable:
      typeof composite.visionCapable === 'boolean'
        ? composite.visionCapable
        : d.visionCapable,
    policy,
    prompts,
    checkUncomputedNumbers:
      typeof composite.checkUncomputedNumbers === 'boolean'
        ? composite.checkUncomputedNumbers
        : d.checkUncomputedNumbers
  };
}

/**
 * A namespace for private helpers.
 */
namespace Private {
  /**
   * A plain object, or an empty one.
   */
  export function record(value: unknown): Record<string, unknown> {
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  }

  /**
   * A finite number at least `min`, or the fallback.
   */
  export function number(value: unknown, fallback: number, min: number) {
    return typeof value === 'number' && Number.isFinite(value) && value >= min
      ? value
      : fallback;
  }
}
