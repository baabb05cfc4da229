// Types of generate-tracking-plans.mjs, for the test that exercises it.
import type { TrackingPlan } from '../src/index';

export const START: string;
export const END: string;
export function loadPlans(): TrackingPlan[];
export function renderTypes(plans: TrackingPlan[]): string;
export function renderDocs(plans: TrackingPlan[]): string;
export function spliceDocs(text: string, generated: string): string;
