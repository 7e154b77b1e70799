/*
 * Copyright (c) jupyterlab-code-interpreter contributors.
 * Distributed under the terms of the Modified BSD License.
 */

/*
 * The shapes of what travels between the browser and the gateway: the
 * OpenAI chat wire format the gateway speaks, and its status reply. They
 * are part of the public API through `src/tokens.ts`, which re-exports them.
 */

/**
 * A part of a multi-part message: text, or an image the model may see.
 *
 * #### Notes
 * Images travel as `data:` URLs (vision-capable models only).
 */
export type IWireContentPart =
  | { type: 'text'; text: string }
  | {
      type: 'image_url';
      image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
    };

/**
 * A tool call of an assistant message, in the OpenAI wire format.
 */
export interface IWireToolCall {
  id: string;
  type: 'function';
  function: {
    name: string;
    /** The arguments, as the model wrote them: JSON text, maybe invalid. */
    arguments: string;
  };
}

/**
 * A tool the model may call, in the OpenAI wire format.
 */
export interface IWireTool {
  type: 'function';
  function: {
    name: string;
    description: string;
    parameters: Record<string, unknown>;
  };
}

/**
 * A message in the OpenAI chat wire format.
 *
 * #### Notes
 * `user` messages may carry content parts (text and images); an assistant
 * message that calls tools has `tool_calls` and may have `null` content; a
 * `tool` message answers the call `tool_call_id` with text only (the
 * protocol has no image parts there: images of a step follow the tool
 * messages in a `user` message).
 */
export type IWireMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | IWireContentPart[] }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: IWireToolCall[];
    }
  | {
      role: 'tool';
      tool_call_id: string;
      content: string;
    };

/**
 * The error body of an OpenAI-shaped error, `{"error": {...}}`.
 */
export interface IWireError {
  message?: string;
  type?: string | null;
  code?: string | number | null;
}

/**
 * The parts of an OpenAI `chat.completion.chunk` the chat reads.
 *
 * #### Notes
 * The last chunk of a stream requested with `include_usage` has empty
 * `choices` and a `usage`; a gateway failing mid-stream sends `{"error":…}`.
 */
export interface IStreamChunk {
  choices?: Array<{
    index?: number;
    delta?: {
      content?: string | null;
      role?: string | null;
      tool_calls?: IToolCallDelta[] | null;
    } | null;
    finish_reason?: string | null;
  }>;
  usage?: ITokenUsage | null;
  error?: IWireError;
}

/**
 * A piece of a streamed tool call: pieces with the same `index` belong to
 * one call; `id` and `name` come once, `arguments` arrive in fragments.
 */
export interface IToolCallDelta {
  index: number;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

/**
 * Token counts reported by the endpoint.
 */
export interface ITokenUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

/**
 * How the turn loop lets a model run code: `native` function calls, `text`
 * (the model writes a fenced python block; for models without reliable tool
 * calls), or `auto` (native, switching to text for a turn whose reply holds
 * a python block and no call). `text` and `auto` also take a `run_python`
 * call written as text for a step (agent/textcalls.ts).
 */
export type ToolProtocol = 'native' | 'text' | 'auto';

/**
 * Where the gateway's endpoint configuration comes from.
 */
export type EndpointSource = 'server_config' | 'user_settings' | 'environment';

/**
 * The reply of `GET <base>/code-interpreter/status`.
 */
export interface IGatewayStatus {
  /**
   * Whether a model endpoint is configured.
   */
  configured: boolean;

  /**
   * Where the configuration comes from, when configured.
   */
  source: EndpointSource | null;

  /**
   * The kind of endpoint, when configured.
   */
  kind: 'azure' | 'openai' | null;

  /**
   * The model aliases the gateway accepts.
   */
  models: string[];

  /**
   * How the loop runs code with each alias (see `ToolProtocol`); absent
   * from older servers, and an alias it lacks counts as `auto`.
   */
  tool_protocols?: Record<string, ToolProtocol>;

  /**
   * Guidance for the user, written by the server.
   */
  message: string;

  /**
   * Each endpoint of the pool (valid ones first, then invalid ones); absent
   * from servers that predate the pool.
   */
  endpoints?: IEndpointStatus[];

  /**
   * The invalid endpoint entries; absent from servers that predate the pool.
   */
  config_errors?: IEndpointConfigError[];

  /**
   * Configuration ignored on purpose, e.g. the user's endpoint settings when
   * an administrator turned user endpoints off; absent from older servers.
   */
  notes?: string[];
}

/**
 * The health of one endpoint, as `endpoints[]` of the status reply has it.
 *
 * #### Notes
 * Field names are the server's (snake_case); see docs/gateway.md, "Status".
 */
export interface IEndpointStatus {
  /** The endpoint's name in the pool. */
  name: string;
  kind: 'azure' | 'openai' | null;
  host: string | null;
  tier: number | null;
  /** The aliases it serves; absent for invalid entries. */
  models?: string[];
  /** How the loop runs code with it; absent for invalid entries. */
  tool_protocol?: ToolProtocol;
  state: EndpointState;
  /** Unix seconds; present only while `cooling` or `open`. */
  cooling_until?: number;
  in_flight: number;
  /** Median of the last answers' latency, `null` before any. */
  latency_ms_p50: number | null;
  requests: number;
  errors_429: number;
  errors_5xx: number;
  tokens_prompt: number;
  tokens_completion: number;
  /** Absent until something went wrong. */
  last_error?: string;
}

/**
 * The state of one endpoint of the pool.
 */
export type EndpointState =
  'healthy' | 'cooling' | 'open' | 'half_open' | 'invalid';

/**
 * One invalid endpoint entry: which endpoint, which field, and why.
 */
export interface IEndpointConfigError {
  endpoint: string;
  /** The field as configured (camelCase for settings); empty when not about one field. */
  field: string;
  message: string;
}

/**
 * A chat completion request, as the chat model asks for it.
 */
export interface IChatRequest {
  /**
   * The model alias.
   */
  model: string;

  /**
   * The sampling temperature.
   */
  temperature: number;

  /**
   * The conversation so far, oldest first.
   */
  messages: IWireMessage[];

  /**
   * The tools the model may call; absent for plain chat.
   */
  tools?: IWireTool[];

  /**
   * Whether the model may call tools; absent = the endpoint's default.
   */
  tool_choice?: 'none' | 'auto' | 'required';

  /**
   * The most tokens the reply may take; absent = the endpoint's default.
   */
  max_tokens?: number;
}

/**
 * Something that streams chat completions.
 *
 * #### Notes
 * The production client talks to the server gateway with the openai SDK;
 * tests pass a fake.
 */
export interface IChatClient {
  /**
   * Stream the chunks of one chat completion.
   *
   * @param request - what to ask.
   * @param signal - aborts the request and ends the stream.
   */
  streamChat(
    request: IChatRequest,
    signal: AbortSignal
  ): AsyncIterable<IStreamChunk>;

  /**
   * How the loop should run code with the model of an alias, as the
   * gateway's configuration says; clients without it are treated as
   * `native`.
   *
   * @param model - the model alias.
   */
  toolProtocol?(model: string): Promise<ToolProtocol>;
}
