/**
 * Hard ceilings of the report spec. The BFF may lower them per deployment
 * (issue: production API limits); these are what the schema itself enforces.
 */
export const SPEC_LIMITS = {
  tables: 50,
  columnsPerTable: 200,
  rowsPerReport: 1_048_575,
  stringLength: 32_767,
  titleLength: 200,
  keyLength: 128,
  headerLength: 256,
} as const;
