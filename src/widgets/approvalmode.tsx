/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { ApprovalMode } from '../agent/tokens';

/**
 * The props of the approval mode select.
 */
export interface IApprovalModeSelectProps {
  /** The mode in force for the current notebook. */
  value: ApprovalMode;
  /** Called with the mode the user picked. */
  onChange(value: ApprovalMode): void;
  /** The extension's translations. */
  trans: TranslationBundle;
  /** Disabled while there is no notebook to store the choice in. */
  disabled?: boolean;
}

/**
 * A small select for the notebook's approval mode: ask / auto-safe / auto.
 *
 * #### Notes
 * The caller stores the choice in the notebook's metadata with
 * `setApprovalMode` (src/notebook/metadata.ts).
 */
export function ApprovalModeSelect(
  props: IApprovalModeSelectProps
): JSX.Element {
  const { value, onChange, trans } = props;
  const options: Array<[ApprovalMode, string, string]> = [
    [
      'ask',
      trans.__('Ask before running'),
      trans.__('Every step waits for Run, Edit or Skip.')
    ],
    [
      'auto-safe',
      trans.__('Run safe code'),
      trans.__(
        'Run code the policy found nothing in; ask about installs, shell, network, changes outside the folder, code it cannot read and reading secrets.'
      )
    ],
    [
      'auto',
      trans.__('Run everything allowed'),
      trans.__(
        'Run what the policy allows; still ask about what it asks about (by default shell commands, code it cannot read and reading secrets).'
      )
    ]
  ];
  const current = options.find(option => option[0] === value);
  return (
    <label
      className="jp-CodeInterpreter-approvalMode"
      title={current ? current[2] : undefined}
    >
      <span className="jp-CodeInterpreter-approvalModeLabel">
        {trans.__('Approval')}
      </span>
      <select
        className="jp-CodeInterpreter-approvalModeSelect"
        value={value}
        disabled={props.disabled}
        aria-label={trans.__('Approval mode for this notebook')}
        onChange={event => onChange(event.target.value as ApprovalMode)}
      >
        {options.map(([mode, label, description]) => (
          <option key={mode} value={mode} title={description}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}
