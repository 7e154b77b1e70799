/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

import type { CodeCell } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';

import type { IAgentSettings } from './agent/settings';
import type {
  IExecutionHost,
  IFailedAttempt,
  IGatedStep,
  IStepFile,
  IStepResult,
  PolicyCategory,
  StepStatus
} from './agent/tokens';
import type {
  IChatClient as IStreamingChatClient,
  IGatewayStatus,
  IWireMessage
} from './llm/wire';

export type { TranslateFn } from './translate';
export type {
  EndpointSource,
  EndpointState,
  IChatRequest,
  IEndpointConfigError,
  IEndpointStatus,
  IGatewayStatus,
  IStreamChunk,
  ITokenUsage,
  IToolCallDelta,
  IWireContentPart,
  IWireError,
  IWireMessage,
  IWireTool,
  IWireToolCall,
  ToolProtocol
} from './llm/wire';

/**
 * Who wrote a message in the conversation.
 *
 * #### Notes
 * `error` messages are written by the extension itself, in place, when a
 * request fails; they are never sent back to the model. `step` messages are
 * the `run_python` steps of a turn, in order between the assistant's texts:
 * a turn reads user → assistant (text before the first step, if any) →
 * step 1 → assistant → step 2 → … → assistant (the answer).
 */
export type MessageRole = 'user' | 'assistant' | 'error' | 'step';

/**
 * The life cycle of an assistant message.
 */
export type MessageStatus = 'streaming' | 'done' | 'stopped' | 'error';

/**
 * One message of the conversation, as the chat panel renders it.
 *
 * #### Notes
 * Messages are immutable: the model replaces a message with a new object when
 * its content changes, so views can compare by identity.
 */
export interface IChatMessage {
  /**
   * A unique id within the conversation.
   */
  readonly id: string;

  /**
   * Who wrote the message.
   */
  readonly role: MessageRole;

  /**
   * The text: markdown for the assistant, plain text otherwise (unless
   * `format` says markdown).
   */
  readonly content: string;

  /**
   * `markdown` on a user message written by a command (a cell command's
   * title, code and error); what the user typed stays plain text.
   */
  readonly format?: 'markdown';

  /**
   * The status of an assistant message; absent on other roles.
   */
  readonly status?: MessageStatus;

  /**
   * A remark shown under an assistant message, e.g. why it was cut short.
   */
  readonly note?: string;

  /**
   * On an assistant message the loop set aside instead of taking it as the
   * answer: `uncomputed`, it stated numbers no step computed; `unread`, it
   * answered about a data file nothing had read; `ungrounded`, its numbers
   * were in no output of the steps; `echoed`, it copied the report of an
   * output instead of answering. The model was asked to run code first or
   * answer from the outputs (the chat folds it, with a note saying why).
   */
  readonly draft?: 'uncomputed' | 'unread' | 'ungrounded' | 'echoed';

  /**
   * On error messages, what kind of failure it was.
   */
  readonly errorKind?: string;

  /**
   * On `step` messages: the step.
   */
  readonly step?: IChatStep;

  /**
   * On user messages of finished interpreter turns: the turn as sent to the
   * model (prompt, assistant tool calls, tool results, answer), so later
   * turns get the same history after a reload.
   */
  readonly wire?: IWireMessage[];

  /**
   * On the user message of a cell command that quoted a cell's outputs
   * (explain, ask): the cell and the outputs as the model got them, which
   * the answer's numbers are checked against.
   */
  readonly quotedCell?: IQuotedCell;

  /**
   * On a user message: the files uploaded with it (shown as chips). Their
   * summaries went to the model in the message's wire transcript.
   */
  readonly attachments?: IAttachment[];
}

/**
 * A file uploaded with a prompt.
 */
export interface IAttachment {
  /** The saved name (made safe, never overwriting another file). */
  name: string;
  /** The path from the server's root, for opening it. */
  path: string;
  /** The path from the notebook's folder, as the kernel's code opens it. */
  localPath: string;
  /** Bytes. */
  size: number;
}

/**
 * A cell's outputs quoted in a request to the model.
 */
export interface IQuotedCell {
  /**
   * The cell's id in its notebook.
   */
  readonly cellId: string;

  /**
   * The outputs (and error) as the request quoted them.
   */
  readonly outputs: string;
}

/**
 * One `run_python` step of a turn, as the chat shows and persists it.
 */
export interface IChatStep {
  /**
   * 1-based number within the turn.
   */
  readonly number: number;

  /**
   * The tool call it answers.
   */
  readonly toolCallId: string;

  /**
   * The code: as proposed, then as it ran (the user's edit, if any).
   */
  readonly code: string;

  /**
   * Where the step is.
   */
  readonly status: StepStatus;

  /**
   * The notebook cell that holds it, once proposed.
   */
  readonly cellId?: string;

  /**
   * Why approval is asked, when it is.
   */
  readonly approvalReason?: string;

  /**
   * Whether the user edited the code before it ran.
   */
  readonly edited?: boolean;

  /**
   * The tool result the model got: outputs summarised, or why it did not
   * run.
   */
  readonly summary?: string;
  /**
   * The failed attempts its cell held before it, when the step took the
   * place of a failed step's cell (oldest first).
   */
  readonly attempts?: ReadonlyArray<IFailedAttempt>;

  /**
   * The later step of the turn that took this failed step's cell.
   */
  readonly replacedBy?: number;

  /**
   * The failed step whose code this step repeated unchanged, when it was
   * not run for that (agent/repeats.ts).
   */
  readonly repeatOf?: number;

  /**
   * Set when the turn ended with this step failed and no later step in its
   * cell: the cell is tagged `raises-exception`.
   */
  readonly unrepaired?: boolean;

  /**
   * The entries of the notebook's folder the step made or rewrote (names
   * and sizes only: previews are loaded from the server when shown).
   */
  readonly files?: ReadonlyArray<IStepFile>;
}

/**
 * What the conversation is doing right now.
 *
 * - `idle`: ready for a prompt.
 * - `waiting`: a request is out and no token has arrived yet.
 * - `streaming`: tokens are arriving.
 * - `running`: a step is being checked, waits for approval, or runs.
 */
export type ChatStatus = 'idle' | 'waiting' | 'streaming' | 'running';

/**
 * The user settings the chat reads from `jupyterlab-code-interpreter:plugin`.
 */
export interface IChatSettings {
  /**
   * The model alias the gateway maps to a deployment.
   */
  modelAlias: string;

  /**
   * The sampling temperature.
   */
  temperature: number;
}

/**
 * The conversations of the Code Interpreter, one per notebook.
 *
 * #### Notes
 * Provided by `jupyterlab-code-interpreter:plugin`, the sidebar chat. The
 * chat follows the active notebook; `current` is the conversation it shows.
 * Approvals are not part of it on purpose: whether a step runs is the
 * user's decision, in the chat or the cell.
 */
export interface IConversationManager {
  /**
   * The conversation the chat shows.
   */
  readonly current: INotebookConversation;

  /**
   * Emitted when the chat shows another conversation.
   */
  readonly currentChanged: ISignal<IConversationManager, INotebookConversation>;

  /**
   * The conversation of a notebook, restored from the server the first time
   * it is asked for; later calls share that load.
   */
  conversationOf(panel: NotebookPanel): Promise<INotebookConversation>;

  /**
   * Send a prompt in the current conversation, as the chat's input does.
   */
  send(text: string): Promise<void>;
}

/**
 * The conversations of the Code Interpreter, one per notebook.
 */
export const IConversationManager = new Token<IConversationManager>(
  'jupyterlab-code-interpreter:IConversationManager',
  'The Code Interpreter conversations, one per notebook: the chat model of each and the host that runs its code in that notebook.'
);

/**
 * One notebook's conversation.
 */
export interface INotebookConversation {
  /**
   * Its messages and requests.
   */
  readonly model: IConversationModel;

  /**
   * Runs its code in the notebook; `null` for the chat kept while no
   * notebook is open.
   */
  readonly host: INotebookHost | null;

  /**
   * Its notebook; `null` for the chat kept while no notebook is open.
   */
  readonly panel: NotebookPanel | null;
}

/**
 * A conversation's messages, and the requests that add to them.
 */
export interface IConversationModel {
  /**
   * Emitted when a message or the status changes.
   */
  readonly changed: ISignal<IConversationModel, void>;

  /**
   * The messages, oldest first.
   */
  readonly messages: ReadonlyArray<IChatMessage>;

  /**
   * What the conversation is doing.
   */
  readonly status: ChatStatus;

  /**
   * The settings its turns use (the notebook's approval mode applied).
   */
  readonly agentSettings: IAgentSettings;

  /**
   * Send a prompt as the user; resolves when the turn ends, never rejects.
   */
  send(text: string): Promise<void>;

  /**
   * Ask the model something on the user's behalf, without tools; the chat
   * shows `options.display` as the user's message.
   *
   * @returns the answer, or `null` when it was stopped, failed or ignored
   *   (another reply under way).
   */
  ask(
    prompt: string,
    options: IConversationModel.IAskOptions
  ): Promise<string | null>;

  /**
   * Add an assistant message that answers no request.
   */
  say(content: string): void;

  /**
   * Show a warning in the chat.
   */
  warn(message: string): void;

  /**
   * Run work that the chat's Stop ends; `null` while the chat is busy.
   */
  runStoppable<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T | null>;

  /**
   * Stop what the conversation is doing.
   */
  stop(): void;
}

/**
 * A namespace for `IConversationModel` types.
 */
export namespace IConversationModel {
  /**
   * The options of `ask`.
   */
  export interface IAskOptions {
    /** The user message the chat shows in place of the prompt, in Markdown. */
    display: string;
    /** The model alias for this request; the chat's alias by default. */
    modelAlias?: string;
    /**
     * A warning shown with this request (e.g. a prompt override that was not
     * used); starting a turn clears earlier warnings, so it is set after.
     */
    warning?: string | null;
    /**
     * The cell whose outputs the prompt quotes: the answer's numbers are
     * checked against them.
     */
    quotedCell?: IQuotedCell;
  }
}

/**
 * Runs a conversation's code in its notebook: the agent's steps, and cells
 * of the user's that should run the way steps do (a fixed cell).
 */
export interface INotebookHost extends IExecutionHost {
  /**
   * The notebook.
   */
  readonly panel: NotebookPanel;

  /**
   * Run a cell of the notebook in its session, with the time limit counted
   * from when the kernel starts it; the caller decided that it may run.
   */
  runCell(
    cell: CodeCell,
    options: INotebookHost.IRunCellOptions
  ): Promise<IStepResult>;

  /**
   * Run a cell of the notebook only if the kernel's gate passes it (every
   * finding in `allowed`); `unavailable` when it cannot be gated.
   */
  runGatedCell(
    cell: CodeCell,
    allowed: readonly PolicyCategory[],
    options: INotebookHost.IRunCellOptions
  ): Promise<IGatedStep>;
}

/**
 * A namespace for `INotebookHost` types.
 */
export namespace INotebookHost {
  /**
   * The options of `runCell` and `runGatedCell`.
   */
  export interface IRunCellOptions {
    /** Stop: interrupts the kernel. */
    signal: AbortSignal;
    /** The time limit once the kernel starts the cell. */
    timeoutMs: number;
  }
}

/**
 * Something that streams chat completions: the gateway client, or a fake in
 * tests (`llm/wire.ts`).
 */
export type IChatClient = IStreamingChatClient;

/**
 * The client that streams chat completions through the gateway.
 */
export const IChatClient = new Token<IChatClient>(
  'jupyterlab-code-interpreter:IChatClient',
  'Streams OpenAI-style chat completions through the Code Interpreter gateway of the Jupyter server, which holds the keys.'
);

/**
 * Reads the gateway's status.
 */
export interface IGatewayStatusProvider {
  /**
   * Ask the server whether a model endpoint is configured, and how the
   * endpoints of its pool are doing.
   */
  fetch(): Promise<IGatewayStatus>;
}

/**
 * Reads the gateway's status.
 */
export const IGatewayStatusProvider = new Token<IGatewayStatusProvider>(
  'jupyterlab-code-interpreter:IGatewayStatusProvider',
  'Reads whether the Code Interpreter gateway has a model endpoint, which model aliases it accepts, and the health of its endpoints.'
);

/**
 * A task that can have a model alias of its own (the `taskModels` setting).
 */
export type TaskName = 'chat' | 'explain' | 'fix';

/**
 * The user settings of the Code Interpreter, loaded once and kept current.
 *
 * #### Notes
 * Holds the defaults until the setting registry answers, then emits
 * `changed` for the loaded values and for every later edit.
 */
export interface ICodeInterpreterSettings {
  /**
   * The settings as the schema's defaults and the user's values compose
   * them (`jupyterlab-code-interpreter:plugin`).
   */
  readonly composite: Readonly<Record<string, unknown>>;

  /**
   * The agent's settings read from them.
   */
  readonly agent: IAgentSettings;

  /**
   * The model alias set for a task, or `undefined` for the chat's alias.
   */
  taskModel(task: TaskName): string | undefined;

  /**
   * Emitted when the settings were loaded or changed.
   */
  readonly changed: ISignal<ICodeInterpreterSettings, void>;
}

/**
 * The user settings of the Code Interpreter.
 */
export const ICodeInterpreterSettings = new Token<ICodeInterpreterSettings>(
  'jupyterlab-code-interpreter:ICodeInterpreterSettings',
  'The Code Interpreter user settings, loaded once and kept current: model alias, approval mode, limits, policy, prompts and per-task model aliases.'
);
