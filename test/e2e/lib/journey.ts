// A journey is a named sequence of named steps that a person would take in the editor. The runner
// keeps the journey and step in every failure message, saves a screenshot of the screen at the
// moment a step failed, and one of each journey's final screen, under test-results/e2e/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

export interface StepOptions {
  /** how long the step may take before it fails (ms); the default suits UI steps */
  timeoutMs?: number;
}

export interface JourneyContext {
  page: Page;
  /** runs one named step; a failure names the journey and this step */
  step<T>(name: string, action: () => Promise<T>, options?: StepOptions): Promise<T>;
  /** saves an extra screenshot named after the journey (e.g. mid-run curves) */
  screenshot(label: string): Promise<string>;
  /** free text added to the report (figures a person would want to read) */
  note(text: string): void;
}

export class JourneyStepError extends Error {
  constructor(
    readonly journey: string,
    readonly stepName: string,
    override readonly cause: unknown,
    readonly screenshotPath: string | undefined,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`journey "${journey}", step "${stepName}" failed: ${reason}` + (screenshotPath ? `\n  screenshot: ${screenshotPath}` : ''));
    this.name = 'JourneyStepError';
  }
}

export interface JourneyOutcome {
  journey: string;
  passed: boolean;
  seconds: number;
  steps: { name: string; seconds: number; passed: boolean }[];
  error?: string;
  finalScreenshot?: string;
  notes: string[];
}

const DEFAULT_STEP_TIMEOUT_MS = 60_000;

/** file-name-safe form of a journey or step name */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `body` as the journey `name` on `page`. Never throws: the outcome says whether it passed,
 * and the error message names the journey and the failing step.
 */
export async function runJourney(
  name: string,
  page: Page,
  resultsDir: string,
  body: (ctx: JourneyContext) => Promise<void>,
): Promise<JourneyOutcome> {
  mkdirSync(resultsDir, { recursive: true });
  const started = Date.now();
  const outcome: JourneyOutcome = { journey: name, passed: false, seconds: 0, steps: [], notes: [] };
  let currentStep = '(before the first step)';

  const shoot = async (label: string): Promise<string | undefined> => {
    const path = join(resultsDir, `${slug(name)}--${slug(label)}.png`);
    try {
      await page.screenshot({ path, timeout: 15_000 });
      return path;
    } catch {
      return undefined; // the page may be gone; the error message says so without a path
    }
  };

  const ctx: JourneyContext = {
    page,
    async step(stepName, action, options) {
      currentStep = stepName;
      const stepStarted = Date.now();
      console.log(`  · ${stepName}`);
      try {
        const value = await withTimeout(action(), options?.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS, `step "${stepName}"`);
        outcome.steps.push({ name: stepName, seconds: (Date.now() - stepStarted) / 1000, passed: true });
        return value;
      } catch (error) {
        outcome.steps.push({ name: stepName, seconds: (Date.now() - stepStarted) / 1000, passed: false });
        if (error instanceof JourneyStepError) throw error;
        const shot = await shoot(`FAILED-${stepName}`);
        throw new JourneyStepError(name, stepName, error, shot);
      }
    },
    async screenshot(label) {
      const path = await shoot(label);
      if (!path) throw new Error(`journey "${name}": could not save screenshot "${label}"`);
      return path;
    },
    note(text) {
      outcome.notes.push(text);
      console.log(`    ${text}`);
    },
  };

  console.log(`journey: ${name}`);
  try {
    await body(ctx);
    outcome.passed = true;
    outcome.finalScreenshot = await shoot('final');
  } catch (error) {
    outcome.error =
      error instanceof JourneyStepError
        ? error.message
        : `journey "${name}", step "${currentStep}" failed: ${error instanceof Error ? error.message : String(error)}`;
    if (!(error instanceof JourneyStepError)) {
      const shot = await shoot(`FAILED-${currentStep}`);
      if (shot) outcome.error += `\n  screenshot: ${shot}`;
    }
  }
  outcome.seconds = (Date.now() - started) / 1000;
  console.log(`  ${outcome.passed ? 'PASS' : 'FAIL'} ${name} (${outcome.seconds.toFixed(1)} s)`);
  if (outcome.error) console.log(`  ${outcome.error.replace(/\n/g, '\n  ')}`);
  return outcome;
}
