import { z } from 'zod';

/** A yes/no option as a query string or form field (`true`/`false`, `1`/`0`, `yes`/`no`) or a JSON boolean. */
export const booleanOption = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((value) => value === true || value === 'true' || value === '1' || value === 'yes');
