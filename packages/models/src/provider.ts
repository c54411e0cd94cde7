/**
 * The one way the project reaches a model: an OpenAI client for the configured
 * endpoint, or an explicit "not configured" that says why.
 */
import OpenAI from 'openai';
import type { ModelConfig } from './config.js';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface ConfiguredProvider {
  configured: true;
  client: OpenAI;
  baseURL: string;
  models: { grading: string; chat: string; patient: string };
}

export interface UnconfiguredProvider {
  configured: false;
  reason: string;
}

export type ModelProvider = ConfiguredProvider | UnconfiguredProvider;

/** `fetch` replaces the client's HTTP (a benchmark times each model request with it). */
export function modelProvider(config: ModelConfig, options: { fetch?: typeof fetch } = {}): ModelProvider {
  if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) {
    return { configured: false, reason: 'OPENAI_API_KEY and OPENAI_BASE_URL are unset' };
  }
  const baseURL = config.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL;
  const client = new OpenAI({
    // Self-hosted endpoints often need no key, but the client insists on one.
    apiKey: config.OPENAI_API_KEY ?? 'no-key',
    baseURL,
    timeout: config.MODEL_TIMEOUT_MS,
    // Callers own retries, so attempts are counted and backed off in one place.
    maxRetries: 0,
    ...(options.fetch && { fetch: options.fetch }),
  });
  return {
    configured: true,
    client,
    baseURL,
    models: { grading: config.GRADING_MODEL, chat: config.CHAT_MODEL, patient: config.PATIENT_MODEL },
  };
}

/** One line for the start-up log. */
export function describeProvider(provider: ModelProvider): string {
  if (!provider.configured) return `no model configured (${provider.reason})`;
  return `model endpoint ${provider.baseURL} (grading: ${provider.models.grading}, chat: ${provider.models.chat}, patient: ${provider.models.patient})`;
}
