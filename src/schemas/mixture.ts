/** Mixtures: the document `bimix mix --out` writes, and the mixture files predict and optimize read. */
import { z } from 'zod';
import { PROXIES } from './names.js';
import { map, num, obj, oneOf, schemaRef } from './fields.js';

/** Domain -> proportion. */
export const proportionsSchema = map(num());

/** An entropy-driven mixture (the `mixture` of a report, the output of `bimix mix`). */
export const mixtureSchema = obj({
  $schema: schemaRef('mixture'),
  proxy: oneOf(PROXIES),
  temperature: num(0),
  proportions: proportionsSchema,
  bounds: obj({ min: map(num()).optional(), max: map(num()).optional() }).optional(),
}).meta({ title: 'bimix mixture', description: 'Written by bimix mix --out / --json; read back by predict --mixture and optimize --reference.' });

/**
 * A mixture file as read: `{ "domain": share, ... }`, or such a map under "proportions" or "mixture"
 * (so the outputs of mix and optimize are mixture files). "schema" and "$schema" keys are not domains.
 */
export const mixtureInputSchema = map(z.number({ error: 'a number' }));
