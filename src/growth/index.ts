/** Public API of the planners. */
export { planGrowth, GROWTH_FACTOR, GSTACK_RANGE } from './gstack.js';
export type { GrowthInput, GrowthPlan } from './gstack.js';
