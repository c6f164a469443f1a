/** Model families recognised in an extracted model name, first match wins (order matters: "o3-mini" is GPT). */
const FAMILIES: [RegExp, string][] = [
  [/claude|anthropic|sonnet|opus|haiku/i, 'Claude'],
  [/\bgpt|chatgpt|openai|\bo[134](-|\b)|davinci/i, 'GPT'],
  [/gemini|bard|palm|gemma/i, 'Gemini'],
  [/llama|meta-ai/i, 'Llama'],
  [/mistral|mixtral|codestral|pixtral/i, 'Mistral'],
  [/qwen/i, 'Qwen'],
  [/deepseek/i, 'DeepSeek'],
  [/grok|xai/i, 'Grok'],
  [/command-r|cohere/i, 'Cohere'],
  [/phi-?\d/i, 'Phi'],
];

/** "gpt-4o-2024-08-06" → "GPT"; null when the model names no family we know. */
export function modelFamily(model: string | null): string | null {
  if (!model) return null;
  return FAMILIES.find(([re]) => re.test(model))?.[1] ?? null;
}
