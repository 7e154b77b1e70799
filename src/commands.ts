/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/**
 * The command ids of the Code Interpreter.
 */
export namespace CommandIDs {
  /**
   * Open and activate the chat panel.
   *
   * #### Notes
   * Bound to `Accel Shift ;` in the schema: JupyterLab 4.6 binds no
   * `Accel Shift ;` and neither do the major browsers, while the nearby
   * `Accel Shift I`/`J`/`O`/`P` are taken by browser developer tools,
   * bookmarks and private windows.
   */
  export const openPanel = 'code-interpreter:open-panel';

  /**
   * Stop any reply and start a new, empty conversation.
   */
  export const newChat = 'code-interpreter:new-chat';
}

/**
 * Commands of other extensions the Code Interpreter runs.
 */
export namespace ExternalCommandIDs {
  /**
   * Open the settings editor (`@jupyterlab/settingeditor-extension`).
   */
  export const openSettings = 'settingeditor:open';
}
